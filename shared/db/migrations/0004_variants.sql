ALTER TABLE `samples` ADD `variant` text;--> statement-breakpoint
ALTER TABLE `templates` ADD `variants` text;