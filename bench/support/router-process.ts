/**
 * Slipway's router as its own process for the benchmark: routes `hello.bench.localhost` to the
 * upstream URL given as the first argument and prints its own URL on stdout. A second argument
 * is a port to share with other router processes (SO_REUSEPORT), for multi-process runs.
 */
import { createRouter } from "../../src/router/index.js";

const upstreamUrl = process.argv[2];
if (upstreamUrl === undefined) {
  throw new Error("usage: router-process.ts UPSTREAM_URL [SHARED_PORT]");
}
const sharedPort = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
const balancing = process.env.BENCH_BALANCING === "round-robin" ? "round-robin" : "least-outstanding";
const router = createRouter({ port: sharedPort ?? 0, reusePort: sharedPort !== undefined, balancing });
router.setRoutes([
  {
    service: "hello",
    environment: "bench",
    hosts: ["hello.bench.localhost"],
    pathPrefix: "/",
    upstreams: [{ id: "hello-1", url: upstreamUrl, release: "v1" }],
  },
]);
const { url } = await router.listen();
process.stdout.write(`${url}\n`);
process.on("SIGTERM", () => {
  void router.close().then(() => process.exit(0));
});
