-- The model, version and sha256 that produced each sample (samples.model, model_version, model_sha256).
ALTER TABLE `samples` ADD `model` text;--> statement-breakpoint
ALTER TABLE `samples` ADD `model_version` integer;--> statement-breakpoint
ALTER TABLE `samples` ADD `model_sha256` text;