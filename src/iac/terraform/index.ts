/**
 * Terraform generation and reading for the bpg/proxmox provider: the public
 * surface of src/iac/terraform. The spec model itself is in ../model.ts.
 */
export { renderGuest, renderGuestBody, renderProvider, renderImports, readHeader, resourceType, PROVIDER_VERSION, type HeaderInfo } from "./render.js";
export { writeTerraform, type WriteOptions, type WriteReport } from "./write.js";
export {
  parseTerraformDir,
  parseTerraformFile,
  type ParsedWorkspace,
  type ParsedGuestSpec,
  type ParseError,
  type UnknownItem,
  type ImportBlock,
} from "./parse/index.js";
export { ignoreChanges, VM_RESOURCE, CT_RESOURCE, UNKNOWN_TEMPLATE_FILE_ID } from "./render-common.js";
export { unifiedDiff } from "./diff-lines.js";
