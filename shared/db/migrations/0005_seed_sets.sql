CREATE TABLE `seed_rows` (
	`set_id` text NOT NULL,
	`row_index` integer NOT NULL,
	`variables` text NOT NULL,
	PRIMARY KEY(`set_id`, `row_index`),
	FOREIGN KEY (`set_id`) REFERENCES `seed_sets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `seed_sets` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`format` text NOT NULL,
	`row_count` integer NOT NULL,
	`columns` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `seed_sets_tenant_idx` ON `seed_sets` (`tenant_id`);