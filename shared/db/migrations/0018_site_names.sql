-- Site names are unique per tenant. Existing sites keep their id (their Durable Object is named
-- after it; shares, codes and appliances point at it) and take it as their name. No table
-- rebuild: dropping `sites` would cascade to those rows where foreign keys are enforced (D1).
ALTER TABLE `sites` ADD `name` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `sites` SET `name` = `id`;--> statement-breakpoint
DROP INDEX `sites_tenant_idx`;--> statement-breakpoint
CREATE UNIQUE INDEX `sites_tenant_name_unique` ON `sites` (`tenant_id`,`name`);
