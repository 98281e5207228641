/**
 * The replica every benchmark target ends at: a minimal Node HTTP server on 127.0.0.1 that
 * answers "hello world". Run as its own process so it never shares an event loop with a proxy;
 * prints its port on stdout.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const body = "hello world\n";
const server = createServer((_request, response) => {
  response.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
  response.end(body);
});
// Longer than any proxy's idle timeout, so no proxy ever races a server-side close.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
