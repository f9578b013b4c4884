/**
 * A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that
 * checks each delivery's signature itself (HMAC-SHA256 computed here from the
 * secret it is told, over timestamp + "." + raw body) and answers by path:
 * `/ok` 200, `/flaky` 500 twice then 200, `/gone` 410, `/hang…` never (until
 * released).
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  json: { id: string; type: string; at: string; correlationId: string | null; workspace: string; data: Record<string, unknown> };
  /** Whether X-Proxmox-MPC-Signature-256 is the HMAC of the secret the receiver knows. */
  signatureValid: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests to /hang still held open. */
  held: ServerResponse[];
  /** Resolves once `n` requests to `path` have arrived. */
  waitFor(path: string, n: number, timeoutMs?: number): Promise<Received[]>;
  /** Answer the held /hang requests. */
  release(): void;
  close(): Promise<void>;
}

export async function startReceiver(secretFor: (path: string) => string | undefined): Promise<Receiver> {
  const received: Received[] = [];
  const held: ServerResponse[] = [];
  const flaky = new Map<string, number>();
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "/").split("?")[0];
      const key = secretFor(path);
      const ts = String(req.headers["x-proxmox-mpc-timestamp"] ?? "");
      const expected = key ? `sha256=${createHmac("sha256", key).update(`${ts}.${body}`).digest("hex")}` : undefined;
      received.push({ path, headers: req.headers, body, json: JSON.parse(body) as Received["json"], signatureValid: expected !== undefined && req.headers["x-proxmox-mpc-signature-256"] === expected });
      for (const w of waiters.splice(0)) w();
      if (path.startsWith("/hang")) return void held.push(res);
      if (path === "/gone") return void res.writeHead(410).end("gone");
      if (path === "/flaky") {
        const id = String(req.headers["x-proxmox-mpc-delivery"]);
        const seen = (flaky.get(id) ?? 0) + 1;
        flaky.set(id, seen);
        if (seen <= 2) return void res.writeHead(500).end("try again");
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    held,
    async waitFor(path, n, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const got = received.filter((r) => r.path === path);
        if (got.length >= n) return got;
        if (Date.now() > until) throw new Error(`${path}: ${got.length} of ${n} requests arrived`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
    },
    release() {
      for (const res of held.splice(0)) res.writeHead(200).end("late");
    },
    close: () => {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
