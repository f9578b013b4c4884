/**
 * Error classification for report-issue: from the failing operation's error
 * (and the error codes in its log lines) to a category, with what usually
 * fixes it. The categories are the ones an operator tells apart: network,
 * TLS, auth, permission, lock, validation, task failure, terraform/ansible
 * failure, internal bug.
 */

/** The kinds of failure report-issue recognises. */
export type ErrorCategory = "network" | "tls" | "auth" | "permission" | "lock" | "validation" | "task-failure" | "terraform" | "ansible" | "internal" | "none";

/** A category, why it was chosen, and what to try. */
export interface Classification {
  category: ErrorCategory;
  title: string;
  /** The codes and phrases that decided it. */
  evidence: string[];
  suggestions: string[];
}

/** What the classifier looks at. */
export interface FailureFacts {
  command?: string;
  message?: string;
  exitCode?: number | null;
  /** Error codes found in the failing operation's log lines (`err.code`). */
  codes: string[];
}

interface Rule {
  category: Exclude<ErrorCategory, "none">;
  title: string;
  codes: string[];
  pattern: RegExp;
  suggestions: string[];
}

const RULES: Rule[] = [
  { category: "tls", title: "TLS certificate problem", codes: ["tls", "tls-error", "fingerprint-mismatch"], pattern: /certificate|fingerprint|self[- ]signed|\bTLS\b|SSL/i, suggestions: ["Pin the server's certificate: `proxmox-mpc init --force --fingerprint <SHA-256>` (shown by `pvenode cert info` on the node).", "Or give the cluster's CA file (/etc/pve/pve-root-ca.pem) with --ca."] },
  { category: "auth", title: "Authentication failed", codes: ["auth-failed", "no-token"], pattern: /\b401\b|authenticat|token (was )?rejected|invalid token|no api token/i, suggestions: ["Check PROXMOX_VE_API_TOKEN (user@realm!tokenid=secret) or the secret in .proxmox-mpc/secrets.", "Make sure the token still exists under Datacenter → Permissions → API Tokens."] },
  { category: "permission", title: "Permission denied", codes: ["permission-denied"], pattern: /\b403\b|permission|not allowed|privilege/i, suggestions: ["Grant the token's role the privileges health lists as missing (or uncheck Privilege Separation).", "Run `proxmox-mpc health` to see which privileges sync and apply lack."] },
  { category: "lock", title: "Something is locked", codes: ["lock-timeout", "workspace-locked", "locked"], pattern: /\block(ed)?\b|busy|another .* is running/i, suggestions: ["Wait for the other operation (backup, migration, another sync) to finish, then retry.", "A lock left by a crashed process expires; `qm unlock <vmid>` clears a guest lock on the node."] },
  { category: "network", title: "Network problem", codes: ["network", "timeout", "proxy-error", "server-error"], pattern: /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|unreachable|timed out|socket hang up|\b50[234]\b/i, suggestions: ["Check that the endpoint (host:8006) is reachable from this machine: `proxmox-mpc test-connection`.", "Look for a firewall, a VPN or a proxy between here and the server."] },
  { category: "validation", title: "Invalid input or configuration", codes: ["invalid-parameters", "usage", "invalid-config", "validation", "not-found", "ambiguous-name", "no-workspace"], pattern: /invalid|must be|not valid|parameter verification|unknown (option|engine|argument)|not in the store|no guest named|does not exist/i, suggestions: ["Fix the value the message names (see `--help`), or the IaC file it comes from.", "Run `proxmox-mpc test` to validate the workspace before planning."] },
  { category: "task-failure", title: "A Proxmox task failed", codes: ["task-failed"], pattern: /task .*failed|UPID:/i, suggestions: ["Read the task log on the node (Datacenter → Tasks) for the command that failed.", "Common causes: storage full, a missing template or ISO, a vmid in use."] },
  { category: "terraform", title: "Terraform failed", codes: ["terraform-failed", "terraform"], pattern: /terraform|tofu|provider/i, suggestions: ["Run `proxmox-mpc plan` to see the error again with terraform's output.", "Try the native engine: `proxmox-mpc plan --engine native`."] },
  { category: "ansible", title: "Ansible failed", codes: ["ansible-failed", "ansible"], pattern: /ansible|playbook/i, suggestions: ["Run the playbook with -vvv to see the failing task.", "Check the inventory (ansible/inventory.yml) and ssh access to the guests."] },
];

const INTERNAL: Classification = {
  category: "internal",
  title: "Internal error in proxmox-mpc",
  evidence: [],
  suggestions: ["This looks like a bug: attach this bundle to an issue for proxmox-mpc.", "Run the command again with --debug for the stack trace."],
};

/** Classify a failure; `none` when nothing failed. */
export function classifyFailure(facts: FailureFacts | undefined): Classification {
  if (!facts) return { category: "none", title: "No failure recorded", evidence: [], suggestions: ["Describe what you expected and what happened in the summary; run the failing command again, then report."] };
  const message = facts.message ?? "";
  const byCode = RULES.find((rule) => facts.codes.some((code) => rule.codes.includes(code)));
  if (byCode) return { category: byCode.category, title: byCode.title, evidence: facts.codes.filter((c) => byCode.codes.includes(c)).map((c) => `code ${c}`), suggestions: byCode.suggestions };
  if (facts.codes.includes("internal")) return { ...INTERNAL, evidence: ["code internal"] };
  const command = facts.command ?? "";
  const byTool = RULES.find((rule) => (rule.category === "terraform" || rule.category === "ansible") && rule.pattern.test(message) && /plan|apply|destroy|ansible/.test(command));
  const byText = byTool ?? RULES.find((rule) => rule.pattern.test(message));
  if (byText) return { category: byText.category, title: byText.title, evidence: [`message matches ${byText.pattern.source.slice(0, 40)}`], suggestions: byText.suggestions };
  return { ...INTERNAL, evidence: ["no known error code or message"] };
}
