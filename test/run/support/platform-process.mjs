// Runs the built platform in its own process, so a test can kill -9 it like a crash.
import { startPlatform } from "../../../dist/api/index.js";

const platform = await startPlatform({
  home: process.env.SLIPWAY_HOME,
  port: 0,
  routerPort: 0,
  logLevel: "silent",
  handleSignals: true,
  // For bench/router-isolation.ts, which compares both.
  routerInProcess: process.env.SLIPWAY_ROUTER_IN_PROCESS === "1",
  // For bench/deploy-time.ts, which compares replicas as users of their own with the platform's.
  ...(process.env.SLIPWAY_ISOLATION === "off" ? { isolation: "off" } : {}),
});
process.stdout.write(
  `${JSON.stringify({ url: platform.url, routerUrl: platform.routerUrl, adminToken: platform.adminToken })}\n`,
);
