// leaky: keeps 8 MiB of every request forever, to show what Slipway does when a service runs out
// of memory: the replica is OOMKilled (exit 137), restarted, and `slipway status` shows the
// limit and the peak it reached.
const http = require("node:http");

const leaked = [];
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    res.end("ok\n");
    return;
  }
  const chunk = Buffer.alloc(8 * 1024 * 1024, 1);
  leaked.push(chunk);
  const mib = leaked.length * 8;
  console.log(`holding ${mib} MiB`);
  res.end(`holding ${mib} MiB\n`);
});
server.listen(Number(process.env.PORT ?? 8080), "127.0.0.1", () =>
  console.log(`leaky listening on ${process.env.PORT}`),
);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
