/**
 * Slipway's router as its own process for the benchmark: routes `hello.bench.localhost` to the
 * upstream URL given as the first argument and prints its own URL on stdout.
 */
import { createRouter } from "../../src/router/index.js";

const upstreamUrl = process.argv[2];
if (upstreamUrl === undefined) {
  throw new Error("usage: router-process.ts UPSTREAM_URL");
}
const balancing = process.env.BENCH_BALANCING === "round-robin" ? "round-robin" : "least-outstanding";
const router = createRouter({ port: 0, balancing });
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
