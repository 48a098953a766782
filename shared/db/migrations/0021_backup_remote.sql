-- Offsite copies of backups (appliance): each backup's upload state, its last error, and when it
-- was uploaded and verified.
ALTER TABLE `backups` ADD `remote_status` text;--> statement-breakpoint
ALTER TABLE `backups` ADD `remote_error` text;--> statement-breakpoint
ALTER TABLE `backups` ADD `remote_uploaded_at` integer;