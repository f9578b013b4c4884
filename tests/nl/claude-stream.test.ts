/**
 * Reading Claude Code's stream-json: progress lines from the recorded event
 * shapes, and the plan from the result text (fenced, bare, or after prose).
 */
import { extractAnswer, progressLines } from "../../src/nl/stream.js";

describe("the plan in the result text", () => {
  const plan = { commands: ["get vms", "start vm web-01"], confidence: 0.8, explanation: "Starts web-01." };

  it("reads a ```json fence (the last one that holds a plan), a bare object, and an object after prose", () => {
    expect(extractAnswer(`Looked around.\n\n\`\`\`json\n${JSON.stringify(plan, null, 2)}\n\`\`\``)).toEqual(plan);
    expect(extractAnswer(`\`\`\`json\n{"commands": [], "confidence": 0.1, "explanation": "draft"}\n\`\`\`\nBetter:\n\`\`\`\n${JSON.stringify(plan)}\n\`\`\``)).toEqual(plan);
    expect(extractAnswer(JSON.stringify(plan))).toEqual(plan);
    expect(extractAnswer(`Here it is: ${JSON.stringify({ ...plan, explanation: 'Uses {braces} and "quotes".' })} — done.`)).toEqual({ ...plan, explanation: 'Uses {braces} and "quotes".' });
  });

  it("trims the lines and drops empty ones", () => {
    expect(extractAnswer(JSON.stringify({ ...plan, commands: ["  get vms ", ""] }))?.commands).toEqual(["get vms"]);
  });

  it.each([
    ["prose only", "I could not decide."],
    ["commands not strings", JSON.stringify({ commands: [1], confidence: 0.5, explanation: "x" })],
    ["confidence out of range", JSON.stringify({ commands: [], confidence: 3, explanation: "x" })],
    ["no explanation", JSON.stringify({ commands: [], confidence: 0.5 })],
    ["broken JSON", '```json\n{"commands": ["get vms"\n```'],
  ])("holds no plan: %s", (_what, text) => {
    expect(extractAnswer(text)).toBeUndefined();
  });
});

describe("progress lines from the events (shapes recorded from claude 2.1.197)", () => {
  it("init: version, model and the MCP server's status", () => {
    expect(progressLines({ type: "system", subtype: "init", claude_code_version: "2.1.197", model: "claude-opus-4-8[1m]", mcp_servers: [{ name: "proxmox-mpc", status: "connected" }], tools: [] })).toEqual(["🤖 Claude Code 2.1.197 (claude-opus-4-8[1m]), MCP: proxmox-mpc connected"]);
  });

  it("assistant thinking, text and tool calls (the server prefix dropped); user tool results", () => {
    const assistant = { type: "assistant", message: { role: "assistant", content: [{ type: "thinking", thinking: "Check   the VMs." }, { type: "tool_use", id: "t1", name: "mcp__proxmox-mpc__describe", input: { kind: "vm", name: "web-01" } }, { type: "text", text: "Plan:\n```json\n{}\n```" }] } };
    expect(progressLines(assistant)).toEqual(["💭 Check the VMs.", '🔧 describe {"kind":"vm","name":"web-01"}', "💬 Plan: (plan)"]);
    const user = { type: "user", message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "describe: ok\nVM web-01" }] }, { type: "tool_result", tool_use_id: "t2", is_error: true, content: "error: not found" }] } };
    expect(progressLines(user)).toEqual(["   ↳ describe: ok VM web-01", "   ✖ error: not found"]);
  });

  it("says nothing for the result and unknown events", () => {
    expect(progressLines({ type: "result", subtype: "success", is_error: false, result: "x" })).toEqual([]);
    expect(progressLines({ type: "stream_event" })).toEqual([]);
  });
});
