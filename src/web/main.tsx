/**
 * The dashboard's entry: the login (an API token, kept in sessionStorage),
 * then the shell — header, main navigation, live stream state, the page of
 * the hash route — with the role from GET /api/v1/whoami deciding which
 * buttons exist. See docs/dashboard.md for the names the browser tests use.
 */
import "./style.css";
import { render, type JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, request, session, whenUnauthorized } from "./api.js";
import { EventStream } from "./events.js";
import { AuditPage } from "./pages/audit.js";
import { GuestPage } from "./pages/guest.js";
import { GuestsPage } from "./pages/guests.js";
import { IacPage } from "./pages/iac.js";
import { LogsPage } from "./pages/logs.js";
import { OverviewPage } from "./pages/overview.js";
import { PlanPage } from "./pages/plan.js";
import { App, can, ConfirmHost, Notifications, useRoute, useStreamState, type Who } from "./ui.js";

/** Ask the server who the token is; the API's refusal as an ApiError. */
async function whoami(token: string): Promise<Who> {
  const answer = await request<never>("GET", "/api/v1/whoami", undefined, token);
  const body = answer.body as unknown as { ok: boolean; name?: string; role?: Who["role"]; error?: { message: string; hint?: string } };
  if (answer.status !== 200 || !body.ok || !body.name || !body.role) throw new ApiError(answer.status, body.error?.message ?? `The server answered ${answer.status}.`, body.error?.hint);
  return { name: body.name, role: body.role };
}

function Login({ onLogin, notice }: { onLogin: (who: Who, token: string) => void; notice?: string }): JSX.Element {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const given = token.trim();
    if (!given) return setError("Paste an API token (`proxmox-mpc token create NAME --role viewer`).");
    setBusy(true);
    try {
      onLogin(await whoami(given), given);
    } catch (err) {
      const x = err as ApiError;
      setError(`${x.message}${x.hint ? ` ${x.hint}` : ""}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>proxmox-mpc</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" spellcheck={false} value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>
          Log in
        </button>
        <p class="hint">
          Create one with <code>proxmox-mpc token create NAME --role viewer|operator|admin</code>. It is kept in this tab only.
        </p>
        <div class="login-error">{error ? <p role="alert">{error}</p> : null}</div>
      </form>
    </main>
  );
}

const PAGES = [
  { id: "overview", label: "Overview" },
  { id: "guests", label: "Guests" },
  { id: "iac", label: "IaC" },
  { id: "plan", label: "Plan" },
  { id: "logs", label: "Logs" },
  { id: "audit", label: "Audit", role: "admin" as const },
];

function Page({ route, who }: { route: string[]; who: Who }): JSX.Element {
  const [page, ...rest] = route;
  switch (page ?? "overview") {
    case "overview":
      return <OverviewPage />;
    case "guests":
      return rest.length >= 2 ? <GuestPage kind={rest[0] === "ct" ? "ct" : "vm"} name={rest[1]} key={rest.join("/")} /> : <GuestsPage />;
    case "iac":
      return <IacPage path={rest.length ? rest.join("/") : undefined} key={rest.join("/")} />;
    case "plan":
      return <PlanPage />;
    case "logs":
      return <LogsPage />;
    case "audit":
      if (can(who, "admin")) return <AuditPage />;
      return <NotFound text="The audit trail needs the admin role." />;
    default:
      return <NotFound text={`No page ${page}.`} />;
  }
}

function NotFound({ text }: { text: string }): JSX.Element {
  return (
    <>
      <h1>Not here</h1>
      <p>
        {text} <a href="#/overview">Back to the overview</a>
      </p>
    </>
  );
}

function Shell({ who, onLogout }: { who: Who; onLogout: () => void }): JSX.Element {
  const route = useRoute();
  const current = route[0] ?? "overview";
  const state = useStreamState();
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header>
        <span class="brand">proxmox-mpc</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.filter((p) => !p.role || can(who, p.role)).map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={current === p.id ? "page" : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class={`stream ${state}`} role="status" aria-label="Event stream">
          {state}
        </span>
        <span class="who">
          {who.name} ({who.role})
        </span>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} who={who} key={current} />
      </main>
      <Notifications />
      <ConfirmHost />
    </>
  );
}

function Root(): JSX.Element {
  const [who, setWho] = useState<Who | undefined>();
  const [token, setToken] = useState<string | null>(session.token());
  const [checking, setChecking] = useState(Boolean(session.token()));
  const [notice, setNotice] = useState<string | undefined>();
  const stream = useMemo(() => (who && token ? new EventStream(token) : undefined), [who, token]);
  useEffect(() => () => stream?.close(), [stream]);
  const logout = (why?: string) => {
    session.forget();
    setWho(undefined);
    setToken(null);
    setNotice(why);
  };
  useEffect(() => {
    whenUnauthorized(() => logout("The token is no longer valid (expired or revoked): log in again."));
    const saved = session.token();
    if (!saved) return;
    whoami(saved).then(
      (w) => (setWho(w), setChecking(false)),
      () => (session.forget(), setToken(null), setChecking(false)),
    );
  }, []);
  if (checking) return <p class="loading">Checking the token…</p>;
  if (!who || !stream) {
    return (
      <Login
        notice={notice}
        onLogin={(w, t) => {
          session.save(t);
          setToken(t);
          setWho(w);
          setNotice(undefined);
          if (!location.hash) location.hash = "#/overview";
        }}
      />
    );
  }
  return (
    <App.Provider value={{ who, stream }}>
      <Shell who={who} onLogout={() => logout()} />
    </App.Provider>
  );
}

render(<Root />, document.getElementById("app")!);
