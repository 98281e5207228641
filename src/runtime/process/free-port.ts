import { createServer } from "node:net";

/**
 * A port that is free on 127.0.0.1 right now, chosen by the kernel. Another process could take
 * it before the replica binds it; the replica then fails to start and is restarted on a new one.
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("the kernel gave no port"))));
    });
  });
}
