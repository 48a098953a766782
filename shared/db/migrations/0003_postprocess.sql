ALTER TABLE `jobs` ADD `steps` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `samples` ADD `kept` integer;--> statement-breakpoint
ALTER TABLE `samples` ADD `decision` text;