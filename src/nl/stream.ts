/**
 * Claude Code's `--output-format stream-json` (one JSON event per line; the
 * shapes of @anthropic-ai/claude-agent-sdk's messages): progress lines for the
 * user from system/assistant/user events, and the final plan from the result
 * event's text (a fenced ```json block, or the whole text, or its last JSON object).
 */

/** The result event (SDKResultMessage), as far as it is read. */
export interface ResultEvent {
  type: "result";
  subtype: string;
  /** May be true while subtype says "success" (e.g. "Not logged in"). */
  is_error: boolean;
  result?: string;
  errors?: string[];
  num_turns?: number;
  duration_ms?: number;
  total_cost_usd?: number;
  session_id?: string;
}

/** What Claude proposed, before the registry checks it. */
export interface ClaudeAnswer {
  commands: string[];
  confidence: number;
  explanation: string;
}

const SERVER_PREFIX = "mcp__proxmox-mpc__";
const clip = (text: string, max: number): string => {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
};

/** One stream event as progress lines (none for events the user need not see). */
export function progressLines(event: Record<string, unknown>): string[] {
  switch (event.type) {
    case "system": {
      if (event.subtype !== "init") return [];
      const servers = Array.isArray(event.mcp_servers) ? (event.mcp_servers as { name?: string; status?: string }[]) : [];
      const mcp = servers.map((s) => `${s.name} ${s.status}`).join(", ");
      return [`🤖 Claude Code ${String(event.claude_code_version ?? "")}${event.model ? ` (${String(event.model)})` : ""}${mcp ? `, MCP: ${mcp}` : ""}`.replace(/\s+\(/, " (")];
    }
    case "assistant":
    case "user": {
      const message = event.message as { content?: unknown } | undefined;
      const content = Array.isArray(message?.content) ? (message.content as Record<string, unknown>[]) : [];
      return content.flatMap((block) => blockLine(block));
    }
    default:
      return [];
  }
}

function blockLine(block: Record<string, unknown>): string[] {
  switch (block.type) {
    case "thinking":
      return typeof block.thinking === "string" && block.thinking.trim() ? [`💭 ${clip(block.thinking, 140)}`] : [];
    case "text":
      return typeof block.text === "string" && block.text.trim() ? [`💬 ${clip(block.text.replace(/```json[\s\S]*?```/g, "(plan)"), 140)}`] : [];
    case "tool_use": {
      const name = String(block.name ?? "tool");
      const input = block.input && typeof block.input === "object" && Object.keys(block.input).length ? ` ${clip(JSON.stringify(block.input), 100)}` : "";
      return [`🔧 ${name.startsWith(SERVER_PREFIX) ? name.slice(SERVER_PREFIX.length) : name}${input}`];
    }
    case "tool_result": {
      const text = Array.isArray(block.content) ? (block.content as { text?: string }[]).map((c) => c.text ?? "").join(" ") : typeof block.content === "string" ? block.content : "";
      return [`   ${block.is_error ? "✖" : "↳"} ${clip(text, 100) || "(no content)"}`];
    }
    default:
      return [];
  }
}

/** The plan in a result text, or undefined when it holds none in the expected shape. */
export function extractAnswer(text: string): ClaudeAnswer | undefined {
  const candidates: string[] = [];
  for (const m of text.matchAll(/```(?:json)?\s*\n?([\s\S]*?)```/g)) candidates.push(m[1]);
  candidates.reverse();
  candidates.push(text);
  const lastObject = lastJsonObject(text);
  if (lastObject) candidates.push(lastObject);
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate.trim());
    } catch {
      continue;
    }
    const answer = asAnswer(value);
    if (answer) return answer;
  }
  return undefined;
}

function asAnswer(value: unknown): ClaudeAnswer | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.commands) || !v.commands.every((c) => typeof c === "string")) return undefined;
  const confidence = typeof v.confidence === "number" && v.confidence >= 0 && v.confidence <= 1 ? v.confidence : undefined;
  if (confidence === undefined || typeof v.explanation !== "string") return undefined;
  return { commands: (v.commands as string[]).map((c) => c.trim()).filter(Boolean), confidence, explanation: v.explanation.trim() };
}

/** The last balanced {...} of a text (a plan written without a fence, after prose). */
function lastJsonObject(text: string): string | undefined {
  const end = text.lastIndexOf("}");
  if (end < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = end; i >= 0; i--) {
    const ch = text[i];
    if (ch === '"' && text[i - 1] !== "\\") inString = !inString;
    if (inString) continue;
    if (ch === "}") depth++;
    else if (ch === "{" && --depth === 0) return text.slice(i, end + 1);
  }
  return undefined;
}
