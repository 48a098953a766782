CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`file` text NOT NULL,
	`sha256` text,
	`size_bytes` integer,
	`encrypted` integer DEFAULT false NOT NULL,
	`row_counts` text,
	`error` text,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	`duration_ms` integer
);
--> statement-breakpoint
CREATE INDEX `backups_kind_idx` ON `backups` (`kind`,`created_at`);