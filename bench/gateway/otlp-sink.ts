/**
 * The OTLP/HTTP collector of `gateway-overhead --tracing`: answers every post with 200 `{}` as
 * soon as its body is read and keeps nothing but their count (`GET /__posts`, so the bench can
 * show that the traced rows did export), so an edge's export costs what sending it costs.
 * Its own process (as a collector would be), on 127.0.0.1; prints `otlp <url>` and stops at its
 * parent's deadline (`startChild`) or on SIGTERM.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

let posts = 0;
const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/__posts") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(String(posts));
    return;
  }
  if (req.method === "POST") posts++;
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`otlp http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
