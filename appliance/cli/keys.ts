import type { Command } from "commander";
import { createApiKey, listApiKeys, revokeApiKey } from "../../shared/identity/api-keys.ts";
import { auditCli, type CommonFlags, fail, printRows, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

/** `keys create|list|revoke`. */
export function registerKeyCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("manage API keys (stored hashed; a secret is shown once)");
  withCommonOptions(keys.command("create").description("create a key and print its secret once"))
    .option("--name <name>", "what the key is for", "default")
    .option("--tenant <id>", "tenant the key acts for", "local")
    .option("--scopes <list>", "comma-separated scopes (* for all)", "*")
    .option("--expires-in-days <days>", "expiry in days from now")
    .option("--json", "print JSON")
    .action(
      async (
        flags: CommonFlags & {
          name: string;
          tenant: string;
          scopes: string;
          expiresInDays?: string;
          json?: boolean;
        },
      ) => {
        const days = flags.expiresInDays === undefined ? undefined : Number(flags.expiresInDays);
        if (days !== undefined && !(days > 0))
          fail("--expires-in-days must be a positive number", 2);
        await withStore(flags, async ({ store }) => {
          const now = new Date();
          const { key, secret } = await createApiKey(
            store.db,
            {
              name: flags.name,
              tenantId: flags.tenant,
              scopes: flags.scopes
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean),
              expiresAt: days ? new Date(now.getTime() + days * 86_400_000) : null,
            },
            now,
          );
          await auditCli(store.db, {
            tenantId: key.tenantId,
            action: "api_key.create",
            target: `api_key:${key.id}`,
            detail: { name: key.name, prefix: key.prefix, scopes: key.scopes },
          });
          if (flags.json)
            process.stdout.write(
              `${JSON.stringify({ id: key.id, secret, scopes: key.scopes, tenant: key.tenantId })}\n`,
            );
          else
            process.stdout.write(
              `created key ${key.id} (${key.name}); its secret, shown only now:\n${secret}\n`,
            );
        });
      },
    );
  withCommonOptions(keys.command("list").description("list keys (never their secrets)"))
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      await withStore(flags, async ({ store }) => {
        printRows(
          (await listApiKeys(store.db, undefined)).map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            tenant: k.tenantId,
            scopes: k.scopes.join(","),
            created: k.createdAt,
            expires: k.expiresAt,
            lastUsed: k.lastUsedAt,
            revoked: k.revokedAt,
          })),
          flags.json === true,
        );
      });
    });
  withCommonOptions(
    keys.command("revoke").description("revoke a key by id").argument("<id>"),
  ).action(async (id: string, flags: CommonFlags) => {
    await withStore(flags, async ({ store }) => {
      const key = await revokeApiKey(store.db, undefined, id, new Date());
      if (!key) fail(`no live key with id ${id}`);
      await auditCli(store.db, {
        tenantId: key.tenantId,
        action: "api_key.revoke",
        target: `api_key:${key.id}`,
        detail: { name: key.name, prefix: key.prefix },
      });
      process.stdout.write(`revoked ${id}\n`);
    });
  });
}
