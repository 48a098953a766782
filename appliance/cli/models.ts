import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidModelFileError, ModelRegistryError } from "../inference/errors.ts";
import type { Db } from "../store/db.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
import { auditCli, type CommonFlags, fail, printRows, withRegistry } from "./context.ts";
import { withCommonOptions } from "./options.ts";

/** Records a registry change made from the command line (models are appliance-wide). */
const auditModel = (db: Db, action: string, name: string, detail?: Record<string, unknown>) =>
  auditCli(db, { tenantId: LOCAL_TENANT, action, target: `model:${name}`, detail });

async function clearly<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof InvalidModelFileError || err instanceof ModelRegistryError)
      fail(err.message);
    if ((err as NodeJS.ErrnoException).code === "ENOENT") fail((err as Error).message);
    throw err;
  }
}

/** `models list|import|rollback|prune|alias|split|unalias|default|delete`. */
export function registerModelCommands(program: Command): void {
  const models = program.command("models").description("manage GGUF models");
  withCommonOptions(
    models
      .command("list")
      .description("list registered models, a row per version (* marks the current one)"),
  )
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      await withRegistry(flags, ({ registry }) => {
        const aliases = registry.aliases();
        const splits = registry.splits();
        // `llama 90%` for each split that sends a share of its traffic to a version.
        const splitsOf = (model: string, version: number) =>
          splits
            .filter((s) => s.modelName === model)
            .flatMap((s) => {
              const share = s.shares.find((x) => x.version === version);
              if (!share) return [];
              const total = s.shares.reduce((sum, x) => sum + x.weight, 0);
              return [`${s.name} ${Math.round((100 * share.weight) / total)}%`];
            })
            .join(",");
        printRows(
          registry.list().flatMap((m) =>
            registry.versions(m.name).map((v) => {
              const current = v.version === m.currentVersion;
              return {
                name: m.name,
                version: v.version,
                current: current ? "*" : "",
                default: current && m.isDefault ? "*" : "",
                architecture: v.architecture,
                parameters: v.parameters,
                context: v.contextLength,
                quantization: v.quantization,
                size: v.sizeBytes,
                sha256: flags.json ? v.sha256 : v.sha256.slice(0, 12),
                managed: v.managed,
                path: v.path,
                aliases: current
                  ? aliases
                      .filter((a) => a.modelName === m.name)
                      .map((a) => a.alias)
                      .join(",")
                  : "",
                split: splitsOf(m.name, v.version),
              };
            }),
          ),
          flags.json === true,
        );
      });
    });
  withCommonOptions(
    models
      .command("import")
      .description(
        "copy a GGUF into the models directory and register it (a name already known gets a new version)",
      )
      .argument("<file>"),
  )
    .option("--name <name>", "name clients use (default: the file name)")
    .option("--sha256 <hex>", "refuse the file unless its SHA-256 is this one")
    .option("--default", "make it the default model")
    .action(
      async (
        file: string,
        flags: CommonFlags & { name?: string; sha256?: string; default?: boolean },
      ) => {
        await withRegistry(flags, ({ registry, store }) =>
          clearly(async () => {
            const row = await registry.import(resolve(file), {
              name: flags.name,
              sha256: flags.sha256,
              makeDefault: flags.default,
            });
            await auditModel(store.db, "model.import", row.name, {
              path: resolve(file),
              version: row.currentVersion,
              sha256: row.sha256,
              default: row.isDefault,
            });
            process.stdout.write(
              `imported ${row.name}@${row.currentVersion} (${row.architecture}, ${row.parameters} parameters, sha256 ${row.sha256}), now the current version\n`,
            );
          }),
        );
      },
    );
  withCommonOptions(
    models
      .command("rollback")
      .description("make the version before the current one current")
      .argument("<name>"),
  ).action(async (name: string, flags: CommonFlags) => {
    await withRegistry(flags, ({ registry, store }) =>
      clearly(async () => {
        const { from, to } = registry.rollback(name);
        await auditModel(store.db, "model.rollback", name, { from, to });
        process.stdout.write(`${name}: current version ${to} (was ${from})\n`);
      }),
    );
  });
  withCommonOptions(
    models
      .command("prune")
      .description("delete all but the newest versions of a model (never the current one)")
      .argument("<name>")
      .requiredOption("--keep <n>", "how many of the newest versions to keep"),
  ).action(async (name: string, flags: CommonFlags & { keep: string }) => {
    await withRegistry(flags, ({ registry, store }) =>
      clearly(async () => {
        const removed = await registry.prune(name, Number(flags.keep));
        await auditModel(store.db, "model.prune", name, {
          keep: Number(flags.keep),
          removed: removed.map((v) => ({ version: v.version, sha256: v.sha256 })),
        });
        if (removed.length === 0) process.stdout.write(`${name}: nothing to prune\n`);
        for (const v of removed)
          process.stdout.write(`removed ${name}@${v.version} (sha256 ${v.sha256.slice(0, 12)})\n`);
      }),
    );
  });
  withCommonOptions(
    models
      .command("alias")
      .description("let clients call a model by another name")
      .argument("<model>")
      .argument("<alias>"),
  ).action(async (model: string, alias: string, flags: CommonFlags) => {
    await withRegistry(flags, ({ registry }) =>
      clearly(async () => {
        registry.alias(model, alias);
        process.stdout.write(`${alias} → ${model}\n`);
      }),
    );
  });
  withCommonOptions(
    models
      .command("split")
      .description(
        "split the traffic of a model name or alias between its versions by weight (llama llama@3=90 llama@4=10); --off ends it",
      )
      .argument("<name>")
      .argument("[shares...]", "name@N=weight, two or more"),
  )
    .option("--off", "end the split: the name resolves to the current version again")
    .action(async (name: string, shares: string[], flags: CommonFlags & { off?: boolean }) => {
      await withRegistry(flags, ({ registry, store }) =>
        clearly(async () => {
          if (flags.off) {
            if (shares.length > 0) fail("--off takes no shares");
            registry.unsplit(name);
            await auditModel(store.db, "model.unsplit", name);
            process.stdout.write(`${name}: no split (current version)\n`);
            return;
          }
          const parsed = shares.map((share): [string, number] => {
            const at = /^(.+)=(.+)$/.exec(share);
            if (!at) fail(`'${share}' is not name@N=weight (llama@3=90)`);
            return [at[1] as string, Number(at[2])];
          });
          const split = registry.split(name, parsed);
          await auditModel(store.db, "model.split", name, { shares: split.shares });
          const total = split.shares.reduce((sum, s) => sum + s.weight, 0);
          const parts = split.shares.map(
            (s) => `${split.modelName}@${s.version} ${((100 * s.weight) / total).toFixed(1)}%`,
          );
          process.stdout.write(`${name} → ${parts.join(", ")}\n`);
        }),
      );
    });
  withCommonOptions(
    models.command("unalias").description("remove an alias").argument("<alias>"),
  ).action(async (alias: string, flags: CommonFlags) => {
    await withRegistry(flags, ({ registry }) =>
      clearly(async () => {
        registry.unalias(alias);
        process.stdout.write(`removed alias ${alias}\n`);
      }),
    );
  });
  withCommonOptions(
    models.command("default").description("make a model the default").argument("<name>"),
  ).action(async (name: string, flags: CommonFlags) => {
    await withRegistry(flags, ({ registry, store }) =>
      clearly(async () => {
        registry.setDefault(name);
        await auditModel(store.db, "model.set_default", name);
        process.stdout.write(`default model: ${name}\n`);
      }),
    );
  });
  withCommonOptions(
    models
      .command("delete")
      .description("remove a model (and its imported file)")
      .argument("<name>"),
  ).action(async (name: string, flags: CommonFlags) => {
    await withRegistry(flags, ({ registry, store }) =>
      clearly(async () => {
        await registry.delete(name);
        await auditModel(store.db, "model.delete", name);
        process.stdout.write(`deleted ${name}\n`);
      }),
    );
  });
}
