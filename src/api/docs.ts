/**
 * GET /api/docs: one self-contained page (nothing from the network) that
 * reads /api/openapi.json and lists every route: method, path, role,
 * parameters or body schema, answers. It builds the page with DOM calls only
 * (text nodes), so nothing from the document is read as HTML; the Markdown
 * code spans of descriptions (\`logs\`) become <code> elements.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>proxmox-mpc REST API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
details { border: 1px solid #ddd; border-radius: 6px; margin: .4rem 0; padding: .3rem .6rem; }
summary { cursor: pointer; font-family: ui-monospace, monospace; }
.m { display: inline-block; width: 3.5rem; font-weight: bold; } .GET { color: #0a6; } .POST { color: #c60; }
.role { float: right; font-size: .8rem; color: #555; }
code { font-family: ui-monospace, monospace; font-size: .9em; background: #f1f1f1; padding: 0 .2em; border-radius: 3px; }
pre { background: #f6f6f6; padding: .5rem; overflow: auto; font-size: .85rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; vertical-align: top; }
input { width: 100%; max-width: 30rem; }
</style>
</head>
<body>
<h1 id="title">proxmox-mpc REST API</h1>
<p id="about"></p>
<p><label>Filter <input id="filter" placeholder="vms, sync, admin …"></label></p>
<div id="routes">Loading /api/openapi.json …</div>
<script>
const el = (tag, attrs, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
// A description as nodes: its \`code\` spans as <code>, everything else as text (an unpaired backtick stays text).
const md = (text) => {
  const parts = String(text).split("\`");
  if (parts.length % 2 === 0) parts.push(parts.splice(-2).join("\`"));
  return parts.map((part, i) => (i % 2 ? el("code", {}, part) : part));
};
fetch("/api/openapi.json").then((r) => r.json()).then((doc) => {
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  document.getElementById("about").replaceChildren(...md(doc.info.description));
  const root = document.getElementById("routes");
  root.textContent = "";
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) (byTag[(op.tags || ["other"])[0]] ||= []).push({ path, method: method.toUpperCase(), op });
  for (const [tag, list] of Object.entries(byTag)) {
    root.append(el("h2", {}, tag));
    for (const { path, method, op } of list) {
      const body = el("div", {});
      body.append(el("p", {}, ...md(op.description || op.summary || "")));
      if (op.parameters && op.parameters.length) {
        const t = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "schema"), el("th", {}, "description")));
        for (const p of op.parameters) t.append(el("tr", {}, el("td", {}, p.name + (p.required ? " *" : "")), el("td", {}, p.in), el("td", {}, JSON.stringify(p.schema)), el("td", {}, ...md(p.description || ""))));
        body.append(t);
      }
      const schema = op.requestBody && op.requestBody.content["application/json"].schema;
      if (schema) body.append(el("p", {}, "JSON body:"), el("pre", {}, JSON.stringify(schema, null, 2)));
      body.append(el("p", {}, "Answers: ", ...Object.entries(op.responses).flatMap(([code, r], i) => [i ? " · " : "", code + " ", ...md(r.description)])));
      const d = el("details", { "data-search": (method + " " + path + " " + (op["x-role"] || "") + " " + (op.summary || "")).toLowerCase() },
        el("summary", {}, el("span", { class: "m " + method }, method), path, " ", el("span", { class: "role" }, op["x-role"] ? "role: " + op["x-role"] : "")), body);
      root.append(d);
    }
  }
  document.getElementById("filter").addEventListener("input", (e) => {
    const q = e.target.value.toLowerCase();
    for (const d of root.querySelectorAll("details")) d.style.display = d.dataset.search.includes(q) ? "" : "none";
  });
}).catch((err) => { document.getElementById("routes").textContent = "Could not read /api/openapi.json: " + err; });
</script>
</body>
</html>
`;
