export * from "./audit.js";
export * from "./in-transaction.js";
export * from "./role-bindings.js";
export * from "./services.js";
export * from "./tokens.js";
export * from "./users.js";
