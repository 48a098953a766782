CREATE TABLE `limit_overrides` (
	`tenant_id` text NOT NULL,
	`subject` text NOT NULL,
	`limits` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `subject`)
);
