-- One sign-in throttle for both halves: the appliance panel's failed logins move into
-- login_failures (the edge's table), under the panel's tenant, as failures in a row.
INSERT INTO `login_failures` (`tenant_id`, `username`, `failures`, `locked_until`, `updated_at`)
SELECT 'local', `username`, count(*), NULL, max(`at`) FROM `panel_login_failures` WHERE true GROUP BY `username`
ON CONFLICT (`tenant_id`, `username`) DO NOTHING;--> statement-breakpoint
DROP TABLE `panel_login_failures`;
