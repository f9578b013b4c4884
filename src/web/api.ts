/**
 * The dashboard's one way to the REST API (docs/api.md): the token of the
 * session (sessionStorage, gone with the tab) as a bearer header, the JSON
 * envelope back, and the errors as values a page can show. A 401 logs out.
 */

const TOKEN_KEY = "proxmox-mpc.token";

/** The answer of every command route (src/api/app.ts Envelope). */
export interface Envelope<T = unknown> {
  ok: boolean;
  command?: string;
  correlationId?: string;
  exitCode?: number;
  data?: T;
  text?: string;
  shown?: string[];
  status?: "running" | "ok" | "failed" | "cancelled";
  operation?: string;
  confirmationRequired?: boolean;
  question?: string;
  wouldDo?: string[];
  /** A 409 of an IaC file write: the version of the file the diff was made from (send it back with confirm). */
  base?: string;
  error?: { code: string; message: string; hint?: string };
}

export interface Answer<T = unknown> {
  status: number;
  body: Envelope<T>;
}

/** A failed call, worded for the operator (the API's message and hint). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  save: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  forget: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: () => void = () => undefined;

/** What to do when the token stops being valid (revoked, expired): back to the login. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/** One request; never throws for an HTTP status (the caller reads it), only when the server cannot be reached. */
export async function request<T = unknown>(method: string, path: string, body?: unknown, token = session.token()): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "The server cannot be reached.", "Is `proxmox-mpc serve` still running?");
  }
  let parsed: Envelope<T>;
  try {
    parsed = (await res.json()) as Envelope<T>;
  } catch {
    parsed = { ok: false, error: { code: "bad-answer", message: `The server answered ${res.status} without JSON.` } };
  }
  if (res.status === 401 && token && token === session.token()) onUnauthorized();
  return { status: res.status, body: parsed };
}

/** The error of a failed answer, as one line. */
export function problem(answer: Answer): ApiError {
  const e = answer.body.error;
  return new ApiError(answer.status, e?.message ?? `The server answered ${answer.status}.`, e?.hint);
}

/**
 * GET a route's data; throws ApiError when it did not succeed. A command that ran and finished
 * non-zero with data (health with a failing check, test with failures) is data, not an error.
 */
export async function load<T>(path: string): Promise<T> {
  const answer = await request<T>("GET", path);
  if (answer.status !== 200 || (!answer.body.ok && answer.body.data === undefined)) throw problem(answer);
  return answer.body.data as T;
}

/** A query string of the values given (empty ones left out). */
export function query(values: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== "") q.set(key, String(value));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Poll a run answered with 202 until it is no longer running; its final envelope. */
export async function settled(operation: string, signal?: AbortSignal): Promise<Envelope> {
  for (;;) {
    const answer = await request<never>("GET", operation);
    const body = answer.body as unknown as { status?: string; result?: Envelope; error?: string | { message: string } };
    if (answer.status !== 200) throw problem(answer);
    if (body.status !== "running") {
      if (body.result) return body.result;
      const message = typeof body.error === "string" ? body.error : body.error?.message;
      return { ok: body.status === "ok", status: body.status as Envelope["status"], error: message ? { code: "failed", message } : undefined };
    }
    if (signal?.aborted) throw new ApiError(0, "Stopped following the operation.");
    await new Promise((r) => setTimeout(r, 400));
  }
}
