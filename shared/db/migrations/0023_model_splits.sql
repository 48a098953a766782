-- A/B splits between versions of a model (model_splits), and the version and sha256 of the local model that answered each metered call (usage_events).
CREATE TABLE `model_splits` (
	`name` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`shares` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`model_name`) REFERENCES `models`(`name`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `usage_events` ADD `target_version` integer;--> statement-breakpoint
ALTER TABLE `usage_events` ADD `target_sha256` text;