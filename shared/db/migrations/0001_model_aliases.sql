CREATE TABLE `model_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`model_name` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`model_name`) REFERENCES `models`(`name`) ON UPDATE cascade ON DELETE cascade
);
