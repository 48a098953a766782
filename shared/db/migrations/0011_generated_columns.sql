CREATE TABLE `sample_columns` (
	`job_id` text NOT NULL,
	`row_index` integer NOT NULL,
	`sample_index` integer NOT NULL,
	`name` text NOT NULL,
	`value` text NOT NULL,
	`messages` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	PRIMARY KEY(`job_id`, `row_index`, `sample_index`, `name`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `samples` ADD `columns` text;--> statement-breakpoint
ALTER TABLE `templates` ADD `columns` text;