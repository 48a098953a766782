/**
 * Runtime settings: a whitelisted few configuration values an administrator may change from the
 * panel without a restart. They are stored in SQLite (`settings`) and override the file /
 * environment / flags configuration, which stays frozen; each is read where it is used (the
 * backup retention after every backup, the archiver's hot windows at every run), so a change
 * applies to the next run. Values are checked with the configuration's own zod bounds.
 */
import { z } from "zod";
import { type Config, Count, loadConfig } from "../config.ts";
import type { Db } from "../store/db.ts";
import { listSettingRows, writeSettings } from "../store/queries/settings.ts";
import { configValueAt, envVariableOf } from "./config-view.ts";

/** The settings the panel may change (configuration paths) and how people call them. */
export const RUNTIME_SETTINGS = {
  "backup.keepHourly": "Hourly backups kept",
  "backup.keepDaily": "Daily backups kept",
  "backup.keepWeekly": "Weekly backups kept",
  "lifecycle.generationsDays": "Days finished jobs stay in SQLite before archiving (0: forever)",
  "lifecycle.usageDays": "Days usage records stay in SQLite before archiving (0: forever)",
  "lifecycle.auditDays": "Days audit records stay in SQLite before archiving (0: forever)",
} as const;

export type RuntimeSettingKey = keyof typeof RUNTIME_SETTINGS;
export const RUNTIME_SETTING_KEYS = Object.keys(RUNTIME_SETTINGS) as RuntimeSettingKey[];

/**
 * A JSON number within the configuration's bounds: a number first (no coercion from strings or
 * booleans here), then the configuration's own schema (its input type is `unknown` because it
 * coerces, hence the cast).
 */
const SettingValue = z.number().pipe(Count as unknown as z.ZodType<number, number>);

/**
 * A change from the panel: whitelisted keys only, each a valid value or `null` (back to the
 * configuration's value).
 */
export const SettingsChange = z
  .object(
    Object.fromEntries(
      RUNTIME_SETTING_KEYS.map((key) => [key, SettingValue.nullable().optional()]),
    ) as Record<RuntimeSettingKey, z.ZodOptional<z.ZodNullable<typeof SettingValue>>>,
  )
  .strict();
export type SettingsChange = z.infer<typeof SettingsChange>;

/** Where an effective value comes from. */
export type SettingSource = "default" | "config" | "panel";

/** One whitelisted setting as it applies now. */
export interface EffectiveSetting {
  key: RuntimeSettingKey;
  label: string;
  env: string;
  value: number;
  source: SettingSource;
  /** What file / environment / flags say (what removing the panel's value goes back to). */
  configValue: number;
  defaultValue: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

let defaults: Config | undefined;
/** The built-in defaults (no file, no environment, no flags). */
const defaultConfig = () => {
  defaults ??= loadConfig({}, {});
  return defaults;
};

/**
 * Every whitelisted setting with its effective value and source. The configuration does not
 * remember where a value came from: one equal to the built-in default shows as `default`. A
 * stored value that no longer validates (edited by hand) is ignored.
 */
export function effectiveSettings(config: Config, db: Db): EffectiveSetting[] {
  const stored = new Map(listSettingRows(db).map((row) => [row.key, row]));
  return RUNTIME_SETTING_KEYS.map((key) => {
    const configValue = configValueAt(config, key) as number;
    const defaultValue = configValueAt(defaultConfig(), key) as number;
    const row = stored.get(key);
    const parsed = row ? SettingValue.safeParse(row.value) : undefined;
    const fromPanel = parsed?.success ? parsed.data : undefined;
    return {
      key,
      label: RUNTIME_SETTINGS[key],
      env: envVariableOf(key) ?? "",
      value: fromPanel ?? configValue,
      source:
        fromPanel !== undefined ? "panel" : configValue === defaultValue ? "default" : "config",
      configValue,
      defaultValue,
      updatedAt: fromPanel !== undefined ? (row?.updatedAt ?? null) : null,
      updatedBy: fromPanel !== undefined ? (row?.updatedBy ?? null) : null,
    };
  });
}

/** The value of one setting as it applies now (panel over configuration). */
export function effectiveValue(config: Config, db: Db, key: RuntimeSettingKey): number {
  return effectiveSettings(config, db).find((s) => s.key === key)?.value as number;
}

/** Stores a validated change (see {@link SettingsChange}). */
export function changeSettings(db: Db, change: SettingsChange, by: string | null): void {
  writeSettings(db, change, { by });
}
