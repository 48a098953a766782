CREATE TABLE `job_rows` (
	`job_id` text NOT NULL,
	`row_index` integer NOT NULL,
	`variables` text NOT NULL,
	PRIMARY KEY(`job_id`, `row_index`),
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`template_id` text NOT NULL,
	`model` text NOT NULL,
	`params` text NOT NULL,
	`samplers` text NOT NULL,
	`row_count` integer NOT NULL,
	`samples_per_row` integer NOT NULL,
	`concurrency` integer NOT NULL,
	`seed` integer NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`template_id`) REFERENCES `templates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `jobs_tenant_idx` ON `jobs` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_status_idx` ON `jobs` (`status`);--> statement-breakpoint
CREATE TABLE `samples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` text NOT NULL,
	`row_index` integer NOT NULL,
	`sample_index` integer NOT NULL,
	`status` text NOT NULL,
	`variables` text NOT NULL,
	`messages` text,
	`output` text,
	`error` text,
	`attempts` integer NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `samples_key_idx` ON `samples` (`job_id`,`row_index`,`sample_index`);--> statement-breakpoint
CREATE INDEX `samples_job_status_idx` ON `samples` (`job_id`,`status`);--> statement-breakpoint
CREATE TABLE `templates` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`system` text,
	`prompt` text NOT NULL,
	`variables` text NOT NULL,
	`output_schema` text,
	`params` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `templates_name_version_idx` ON `templates` (`tenant_id`,`name`,`version`);--> statement-breakpoint
CREATE INDEX `templates_tenant_idx` ON `templates` (`tenant_id`);