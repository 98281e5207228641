// A tiny HTTP service: reports what the runtime gave it, and shuts down gracefully on SIGTERM.
const http = require("node:http");

const server = http.createServer((request, response) => {
  if (request.url === "/env") {
    response.setHeader("content-type", "application/json");
    response.end(
      JSON.stringify({ port: process.env.PORT, greeting: process.env.GREETING, cwd: process.cwd(), pid: process.pid }),
    );
    return;
  }
  console.log(`request ${request.url}`);
  response.end(request.url === "/healthz" ? "ok" : "hello");
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log(`listening on ${process.env.PORT}`));
console.error("starting (stderr)");
process.on("SIGTERM", () => {
  console.log("got SIGTERM, closing");
  server.close(() => process.exit(Number(process.env.EXIT_CODE_ON_TERM ?? 0)));
  server.closeAllConnections();
});
