import type { Command } from "commander";
import { type Context, withClient } from "../context.ts";
import { readJson, readRows } from "../io.ts";

/** `textnlp templates push|list|show|preview`. */
export function registerTemplateCommands(program: Command): void {
  const templates = program
    .command("templates")
    .description("prompt templates (immutable numbered versions)");
  templates
    .command("push")
    .description(
      "create a template, or its next version, from a JSON file {name, prompt, system?, output_schema?, params?, variants?, columns?}",
    )
    .argument("<file>")
    .action(
      withClient(async (ctx: Context, file: string) => {
        const template = await ctx.client.templates.create(
          readJson(file) as Parameters<typeof ctx.client.templates.create>[0],
        );
        ctx.print(
          template,
          `${template.name} version ${template.version} (variables: ${template.variables.join(", ") || "none"})`,
        );
      }),
    );
  templates
    .command("list")
    .description("latest version of each template")
    .action(
      withClient(async (ctx: Context) => {
        const { data } = await ctx.client.templates.list();
        ctx.print(
          data,
          data.map((t) => `${t.name}\tv${t.version}\t${t.variables.join(",")}`).join("\n") ||
            "(none)",
        );
      }),
    );
  templates
    .command("show")
    .description("a template's versions, newest first")
    .argument("<name>")
    .action(
      withClient(async (ctx: Context, name: string) => {
        const { data } = await ctx.client.templates.versions(name);
        ctx.print(
          data,
          data
            .map((t) => `v${t.version}\n  system: ${t.system ?? "-"}\n  prompt: ${t.prompt}`)
            .join("\n"),
        );
      }),
    );
  templates
    .command("preview")
    .description("render prompts without generating")
    .argument("<name>")
    .option("--rows <file>", "seed rows (JSONL or CSV)")
    .option("--count <n>", "how many prompts", "3")
    .action(
      withClient(async (ctx: Context, name: string, flags: { rows?: string; count: string }) => {
        const preview = await ctx.client.templates.preview(name, {
          ...(flags.rows
            ? { rows: readRows(flags.rows).slice(0, 100) }
            : { count: Number(flags.count) }),
        });
        ctx.print(
          preview.data,
          preview.data
            .map((p) => p.messages.map((m) => `[${m.role}] ${m.content}`).join("\n"))
            .join("\n---\n"),
        );
      }),
    );
}
