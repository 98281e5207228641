// hello-api: the smallest service worth deploying. Listens on $PORT, answers /healthz for the
// readiness and liveness probes, and counts requests in Prometheus' text format on /metrics.
const http = require("node:http");

const started = Date.now();
const counts = new Map();
const greeting = process.env.GREETING ?? "Hello";

function count(path, status) {
  const key = `path="${path}",code="${status}"`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz") {
    res.end("ok\n");
    return;
  }
  if (path === "/metrics") {
    const lines = ["# TYPE hello_requests_total counter"];
    for (const [labels, value] of counts) {
      lines.push(`hello_requests_total{${labels}} ${value}`);
    }
    lines.push("# TYPE hello_uptime_seconds gauge", `hello_uptime_seconds ${(Date.now() - started) / 1000}`);
    res.setHeader("content-type", "text/plain; version=0.0.4");
    res.end(`${lines.join("\n")}\n`);
    return;
  }
  count(path, 200);
  res.setHeader("content-type", "application/json");
  res.end(
    JSON.stringify({
      message: `${greeting} from hello-api`,
      release: process.env.SLIPWAY_RELEASE ?? null,
      replica: process.env.SLIPWAY_REPLICA ?? null,
    }),
  );
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () => {
  console.log(`hello-api listening on ${process.env.PORT ?? 8080}`);
});

// Finish in-flight requests, then exit: Slipway sends SIGTERM after draining the replica.
process.on("SIGTERM", () => {
  console.log("SIGTERM: closing");
  server.close(() => process.exit(0));
});
