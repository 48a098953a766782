/**
 * The ceiling: a hello-world Hono Worker. No body read, no upstream, no storage: what workerd and
 * Miniflare's loopback socket cost per request on this machine.
 */
import { Hono } from "hono";

const app = new Hono();
app.all("*", (c) => c.text("Hello, world!"));

export default app;
