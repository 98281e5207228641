import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

/**
 * Closes, at shutdown, the connections a client opened but never sent a request on. Node's
 * server.close() closes idle keep-alive connections, but one that is still waiting for its first
 * request counts as busy, so shutdown waited until the client gave it up: undici's fetch (the
 * CLI's client, in process for `up --deploy`) opens such spares and keeps them for 4 s.
 */
export function closeUnusedConnectionsOnShutdown(app: FastifyInstance): void {
  const open = new Set<Socket>();
  app.server.on("connection", (socket: Socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  });
  app.addHook("preClose", async () => {
    // After this hook, Fastify stops the server from accepting: sweep once that has happened.
    setImmediate(() => {
      for (const socket of open) {
        if (socket.bytesRead === 0) {
          socket.destroy();
        }
      }
    });
  });
}
