#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx).
import { register } from "tsx/esm/api";

register();
await import("../cli/index.ts");
