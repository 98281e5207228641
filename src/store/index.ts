// The state store: the only module other capabilities import from src/store.
export { isForeignKeyViolation, isUniqueViolation } from "./constraint-errors.js";
export type { StoreEngine } from "./engine.js";
export {
  appendEvent,
  type EventFilter,
  type EventRecord,
  listEvents,
  type NewEvent,
  pruneEventsBefore,
} from "./events.js";
export { newId, nowIso } from "./ids.js";
export { currentSchemaVersion, latestSchemaVersion, migrateToLatest } from "./migrations/index.js";
export {
  ensureDataDirectory,
  openStore,
  SQLITE_FILE_NAME,
  type Store,
  type StoreOptions,
} from "./open-store.js";
export type { HeldInstanceLock } from "./postgres-instance-lock.js";
export * from "./repos/index.js";
export type * from "./schema.js";
export {
  SecretBox,
  SecretBoxError,
  type SecretBoxErrorCode,
  type SecretBoxOptions,
} from "./secret-box.js";
export { type PieceEdges, type SecretMask, secretMasker } from "./secret-mask.js";
export {
  ALL_ENVIRONMENTS,
  deleteSecret,
  listSecrets,
  type NewSecret,
  resolveSecrets,
  type SecretInfo,
  type SecretKey,
  secretValuesToMask,
  setSecret,
} from "./secrets.js";
export { StoreError, type StoreErrorCode } from "./store-error.js";
