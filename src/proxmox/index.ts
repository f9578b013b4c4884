/** The Proxmox VE API client: connection settings, typed methods, errors, tasks. */
export * from "./client.js";
export * from "./connection.js";
export * from "./errors.js";
export * from "./tasks.js";
export * from "./types.js";
export { Transport, type RequestRecord, type Params, type HttpMethod } from "./transport.js";
