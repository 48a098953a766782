/**
 * `textnlp-appliance`: the daemon (`serve`) and its administration. Each command opens the same
 * configuration and store as the daemon, so they work while it runs (SQLite WAL).
 */
import { Command } from "commander";
import { VERSION } from "../version.ts";
import { registerBackupCommands } from "./backup.ts";
import { registerDataCommands } from "./data.ts";
import { registerDoctorCommand } from "./doctor.ts";
import { registerKeyCommands } from "./keys.ts";
import { registerLinkCommands } from "./link.ts";
import { registerModelCommands } from "./models.ts";
import { registerServeCommand } from "./serve.ts";
import { registerUserCommands } from "./users.ts";

const program = new Command()
  .name("textnlp-appliance")
  .description(
    "TextNLP appliance: OpenAI-compatible inference and synthetic data on your own hardware",
  )
  .version(VERSION)
  .showHelpAfterError();

registerServeCommand(program);
registerKeyCommands(program);
registerModelCommands(program);
registerUserCommands(program);
registerBackupCommands(program);
registerDataCommands(program);
registerDoctorCommand(program);
registerLinkCommands(program);

await program.parseAsync(process.argv);
