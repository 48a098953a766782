import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { createUser, listUsers } from "../store/queries/users.ts";
import { auditCli, type CommonFlags, fail, printRows, withStore } from "./context.ts";
import { withCommonOptions } from "./options.ts";

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text.replace(/\r?\n$/, "");
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question("password: ");
  } finally {
    rl.close();
  }
}

/** `users create|list`. */
export function registerUserCommands(program: Command): void {
  const users = program.command("users").description("manage admin panel users");
  withCommonOptions(
    users
      .command("create")
      .description("create a user (password hashed with scrypt)")
      .argument("<username>"),
  )
    .option("--admin", "give the admin role")
    .option("--role <role>", "admin, developer or viewer", "viewer")
    .option("--password-stdin", "read the password from standard input")
    .action(
      async (
        username: string,
        flags: CommonFlags & { admin?: boolean; role: string; passwordStdin?: boolean },
      ) => {
        const role = flags.admin ? "admin" : flags.role;
        if (role !== "admin" && role !== "developer" && role !== "viewer")
          fail(`unknown role '${role}'`, 2);
        const password = await readPassword(flags.passwordStdin === true);
        if (password.length < 12) fail("the password must have at least 12 characters", 2);
        await withStore(flags, async ({ store }) => {
          let user: Awaited<ReturnType<typeof createUser>>;
          try {
            user = await createUser(store.db, { username, password, role });
          } catch (err) {
            fail((err as Error).message);
          }
          await auditCli(store.db, {
            tenantId: user.tenantId,
            action: "user.create",
            target: `user:${user.id}`,
            detail: { username: user.username, role: user.role },
          });
          process.stdout.write(`created ${user.role} ${user.username}\n`);
        });
      },
    );
  withCommonOptions(users.command("list").description("list users"))
    .option("--json", "print JSON")
    .action(async (flags: CommonFlags & { json?: boolean }) => {
      await withStore(flags, ({ store }) => {
        printRows(
          listUsers(store.db).map((u) => ({
            id: u.id,
            username: u.username,
            role: u.role,
            tenant: u.tenantId,
            created: u.createdAt,
          })),
          flags.json === true,
        );
      });
    });
}
