/**
 * The managed set (which guests this workspace owns) is kept with the IaC:
 * see src/iac/managed-set.ts. Re-exported for the native engine.
 */
export { forgetManaged, managedStatePath, markManaged, readManaged, type ManagedGuest } from "../../iac/managed-set.js";
