import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { roles, type User } from "../../shared/db/schema/index.ts";
import {
  createUser,
  deleteUser,
  findUserByName,
  lastAdminRefusal,
  listUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
} from "../../shared/identity/users.ts";
import type { Db } from "../store/db.ts";
import { LOCAL_TENANT } from "../store/queries/tenants.ts";
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

/** Reads a new password (at least 12 characters, as the API asks). */
async function newPassword(fromStdin: boolean): Promise<string> {
  const password = await readPassword(fromStdin);
  if (password.length < 12) fail("the password must have at least 12 characters", 2);
  return password;
}

/**
 * Runs `change` on the local tenant's user `username`, refusing (`verb` set) to take admin
 * rights from the last active admin, then records the change in the audit log.
 */
async function changeUser(
  flags: CommonFlags,
  username: string,
  action: string,
  change: (db: Db, user: User, now: Date) => Promise<User | undefined>,
  options: { verb?: string; detail?: (user: User) => Record<string, unknown> } = {},
): Promise<void> {
  await withStore(flags, async ({ store }) => {
    const user = await findUserByName(store.db, LOCAL_TENANT, username);
    if (!user) fail(`no user '${username}'`);
    const refusal = options.verb && (await lastAdminRefusal(store.db, user, options.verb));
    if (refusal) fail(refusal);
    await change(store.db, user, new Date());
    await auditCli(store.db, {
      tenantId: user.tenantId,
      action,
      target: `user:${user.id}`,
      detail: { username: user.username, ...options.detail?.(user) },
    });
    process.stdout.write(`${action} ${username}\n`);
  });
}

/** `users create|list|role|disable|enable|passwd|delete`. */
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
        const password = await newPassword(flags.passwordStdin === true);
        await withStore(flags, async ({ store }) => {
          const user = await createUser(
            store.db,
            { tenantId: LOCAL_TENANT, username, password, role },
            new Date(),
          );
          if (!user) fail(`user '${username}' already exists`);
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
      await withStore(flags, async ({ store }) => {
        printRows(
          (await listUsers(store.db, undefined)).map((u) => ({
            id: u.id,
            username: u.username,
            role: u.role,
            tenant: u.tenantId,
            created: u.createdAt,
            disabled: u.disabledAt,
          })),
          flags.json === true,
        );
      });
    });
  withCommonOptions(
    users
      .command("role")
      .description("change a user's role")
      .argument("<username>")
      .argument("<role>", roles.join(", ")),
  ).action(async (username: string, role: string, flags: CommonFlags) => {
    if (!(roles as readonly string[]).includes(role)) fail(`unknown role '${role}'`, 2);
    const to = role as User["role"];
    await changeUser(
      flags,
      username,
      "user.role_change",
      (db, user, now) => setUserRole(db, user, to, now),
      {
        verb: to === "admin" ? undefined : "demote",
        detail: (user) => ({ from: user.role, to }),
      },
    );
  });
  withCommonOptions(
    users.command("disable").description("stop a user logging in").argument("<username>"),
  ).action((username: string, flags: CommonFlags) =>
    changeUser(
      flags,
      username,
      "user.disable",
      (db, user, now) => setUserDisabled(db, user, true, now),
      { verb: "disable" },
    ),
  );
  withCommonOptions(
    users.command("enable").description("let a disabled user log in again").argument("<username>"),
  ).action((username: string, flags: CommonFlags) =>
    changeUser(flags, username, "user.enable", (db, user, now) =>
      setUserDisabled(db, user, false, now),
    ),
  );
  withCommonOptions(
    users
      .command("passwd")
      .description("set a user's password (ends their panel sessions)")
      .argument("<username>"),
  )
    .option("--password-stdin", "read the password from standard input")
    .action(async (username: string, flags: CommonFlags & { passwordStdin?: boolean }) => {
      const password = await newPassword(flags.passwordStdin === true);
      await changeUser(flags, username, "user.password_reset", (db, user, now) =>
        setUserPassword(db, user, password, now),
      );
    });
  withCommonOptions(
    users.command("delete").description("delete a user").argument("<username>"),
  ).action((username: string, flags: CommonFlags) =>
    changeUser(flags, username, "user.delete", (db, user) => deleteUser(db, user), {
      verb: "delete",
      detail: (user) => ({ role: user.role }),
    }),
  );
}
