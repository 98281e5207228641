export { type BuildApiOptions, bodyLimitBytes, buildApi } from "./build-api.js";
export type { ApiContext } from "./context.js";
export { EventBus, publishEvent } from "./event-bus.js";
export { defaultPort, type PlatformOptions, type RunningPlatform, startPlatform } from "./platform.js";
export { permissions, roles } from "./rbac/index.js";
