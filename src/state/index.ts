/**
 * The state store's public surface. Importing this module loads no database
 * code: `openStore()` imports Prisma and the driver when it is called.
 */
export { openStore, type OpenStoreOptions, type Store, type StoreInfo } from "./store.js";
export { parseDatabaseUrl, redactDatabaseUrl, type DatabaseTarget, type StoreProvider } from "./url.js";
export { toGuestJson, toNodeJson } from "./mappers.js";
export { LockBusyError, DEFAULT_STALE_AFTER_MS, systemClock } from "./lock-repository.js";
export type { LockClock, LockHandle, LockInfo, LockOptions } from "./lock-types.js";
export type { GuestRepository, NodeRepository, StorageRepository } from "./guest-repository.js";
export type { SyncRepository } from "./sync-repository.js";
export type { LockRepository } from "./lock-repository.js";
export { API_ROLES, parseApiToken, type ApiRole, type ApiTokenInfo, type TokenRepository } from "./token-repository.js";
export type {
  OperationRepository,
  OperationActor,
  OperationResult,
  OperationStart,
  OperationEnd,
  OperationRecord,
  OperationQuery,
} from "./operation-repository.js";
export type { MigrationReport } from "./migrations.js";
export type * from "./types.js";
export type * from "./sync-types.js";
