/**
 * `textnlp`: templates, generation jobs and datasets against any TextNLP endpoint (an appliance
 * or the edge), and metrics on line files computed here (`validate`). `--json` prints
 * machine-readable output; exit codes: 0 ok, 1 server error, 2 usage error, 3 job not finished.
 */
import { Command, Option } from "commander";
import { registerGenerateCommand } from "./commands/generate.ts";
import { registerJobCommands } from "./commands/jobs.ts";
import { registerTemplateCommands } from "./commands/templates.ts";
import { registerValidateCommands } from "./commands/validate.ts";

const program = new Command()
  .name("textnlp")
  .description("TextNLP: synthetic text datasets from templates, on an appliance or the edge")
  .addOption(new Option("--endpoint <url>", "server URL (default http://127.0.0.1:8080)"))
  .addOption(new Option("--api-key <key>", "API key (or TEXTNLP_API_KEY)"))
  .option("--config <file>", "config file (default ~/.config/textnlp/config.json)")
  .option("--json", "machine-readable output")
  .showHelpAfterError();

// Set before the commands are added, so it applies to them: usage errors exit 2, help exits 0.
program.exitOverride((err) => {
  process.exit(err.exitCode === 0 ? 0 : 2);
});
registerTemplateCommands(program);
registerGenerateCommand(program);
registerJobCommands(program);
registerValidateCommands(program);
await program.parseAsync(process.argv);
