/**
 * Experiment, not product code: how fast can Node proxy HTTP/1.1 if it skips node:http and
 * passes keep-alive bytes through raw sockets? Handles only what the hello upstream needs
 * (bodiless requests, content-length responses). On the 2-core bench machine it reached about
 * 27k req/s against the router's 16–20k and nginx's 28k at the time. It led to the router's own
 * raw-socket data plane (src/router/, docs/architecture.md), which now does most of what this skips.
 *
 *   node_modules/.bin/node bench/experiments/raw-passthrough.mjs UPSTREAM_PORT
 *   npx autocannon -c 50 -d 8 http://127.0.0.1:PRINTED_PORT
 */
import net from "node:net";

const upstreamPort = Number(process.argv[2]);
const idle = [];

function upstreamSocket() {
  const reused = idle.pop();
  if (reused !== undefined) {
    return reused;
  }
  const socket = net.connect(upstreamPort, "127.0.0.1").setNoDelay(true);
  // node:http closes a connection idle for 5 s: a closed one must not be handed out again.
  socket.on("close", () => {
    const index = idle.indexOf(socket);
    if (index >= 0) {
      idle.splice(index, 1);
    }
  });
  socket.on("error", () => socket.destroy());
  return socket;
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  let pending = Buffer.alloc(0);
  let busy = false;

  const next = () => {
    if (busy) {
      return;
    }
    const end = pending.indexOf("\r\n\r\n");
    if (end < 0) {
      return;
    }
    const head = pending.subarray(0, end + 4).toString("latin1");
    pending = pending.subarray(end + 4);
    busy = true;
    const upstream = upstreamSocket();
    const firstLineEnd = head.indexOf("\r\n") + 2;
    upstream.write(
      `${head.slice(0, firstLineEnd)}x-forwarded-for: 127.0.0.1\r\n${head.slice(firstLineEnd)}`,
      "latin1",
    );
    let response = Buffer.alloc(0);
    let total = -1;
    const onData = (chunk) => {
      response = response.length > 0 ? Buffer.concat([response, chunk]) : chunk;
      if (total < 0) {
        const headEnd = response.indexOf("\r\n\r\n");
        if (headEnd < 0) {
          return;
        }
        const length = /content-length:\s*(\d+)/i.exec(response.subarray(0, headEnd).toString("latin1"));
        total = headEnd + 4 + Number(length?.[1] ?? 0);
      }
      if (response.length >= total) {
        client.write(response.subarray(0, total));
        upstream.off("data", onData);
        idle.push(upstream);
        busy = false;
        next();
      }
    };
    upstream.on("data", onData);
  };

  client.on("data", (chunk) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    next();
  });
  client.on("error", () => client.destroy());
});

server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}`));
