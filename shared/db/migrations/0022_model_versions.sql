-- Model versions (appliance): every file a model name has had, and which one is current; each
-- model registered before versions becomes its own version 1.
CREATE TABLE `model_versions` (
	`model_name` text NOT NULL,
	`version` integer NOT NULL,
	`path` text NOT NULL,
	`sha256` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`architecture` text,
	`parameters` integer,
	`context_length` integer,
	`quantization` text,
	`managed` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`model_name`, `version`),
	FOREIGN KEY (`model_name`) REFERENCES `models`(`name`) ON UPDATE cascade ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `models` ADD `current_version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
INSERT INTO `model_versions` (`model_name`, `version`, `path`, `sha256`, `size_bytes`, `architecture`, `parameters`, `context_length`, `quantization`, `managed`, `created_at`)
	SELECT `name`, 1, `path`, `sha256`, `size_bytes`, `architecture`, `parameters`, `context_length`, `quantization`, `managed`, `created_at` FROM `models`;
