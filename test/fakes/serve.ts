/**
 * Runs every provider fake from Node until Ctrl-C (or their own lifetime ends):
 * `npx tsx test/fakes/serve.ts`. Prints each base URL and key.
 */
import { startAllFakes } from "./index.ts";

const { servers, keys, close } = await startAllFakes();
for (const [name, server] of Object.entries(servers)) {
  console.log(`${name.padEnd(10)} ${server.url}  key=${keys[name as keyof typeof keys]}`);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void close().then(() => process.exit(0)));
}
