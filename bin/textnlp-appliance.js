#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx); the offline bundle ships a compiled build instead.
import { register } from "tsx/esm/api";

register();
await import("../appliance/cli/index.ts");
