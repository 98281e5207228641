// A service that ignores SIGTERM: only SIGKILL ends it.
const http = require("node:http");

process.on("SIGTERM", () => console.log("ignoring SIGTERM"));
http
  .createServer((_, response) => response.end("still here"))
  .listen(Number(process.env.PORT), "127.0.0.1", () => console.log(`listening on ${process.env.PORT}`));
