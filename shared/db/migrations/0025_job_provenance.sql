-- The version and sha256 a job was pinned to (jobs.model_version, model_sha256) and the models it generates on (jobs.models, several for a comparison).
ALTER TABLE `jobs` ADD `model_version` integer;--> statement-breakpoint
ALTER TABLE `jobs` ADD `model_sha256` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `models` text;