// The journal: what the vendors' endpoints were asked, newest first, read every second from
// GET /__cartkit/requests (which gathers every worker's entries). Credentials come masked, and
// stay masked in "copy as curl".

import { mock } from "./admin.js";
import { announce, h, hidden, snippet, uniqueId } from "./elements.js";
import { curl } from "./snippets.js";

const EVERY_MS = 1000;
const LIMIT = 200;
// Headers a browser or a client library adds on its own: left out of "copy as curl".
const ADDED = new Set(["host", "connection", "content-length", "accept-encoding",
  "accept-language", "user-agent", "referer", "origin", "cache-control", "pragma", "priority",
  "dnt", "upgrade-insecure-requests"]);

let root;
let context;
let list;
let line;
let vendorFilter;
let statusFilter;
let pause;
let active = false;
let paused = false;
let timer = null;
let shown = null; // the entries on screen, as JSON: redraw only when they change
const opened = new Set(); // the keys of the entries a person opened

export function mount(element, shared) {
  root = element;
  context = shared;
  const vendorId = uniqueId("journal-vendor");
  const statusId = uniqueId("journal-status");
  vendorFilter = h("select", { id: vendorId, name: "vendor" });
  statusFilter = h("input", { id: statusId, name: "status", type: "number", min: 100, max: 599,
    step: 1, placeholder: "any", inputmode: "numeric" });
  pause = h("button", { type: "button", "aria-pressed": "false" }, "Pause");
  const clear = h("button", { type: "button", class: "reset" }, "Clear the journal");
  vendorFilter.addEventListener("change", reload);
  statusFilter.addEventListener("input", () => {
    if (statusFilter.value === "" || statusFilter.value.length === 3) reload();
  });
  pause.addEventListener("click", () => {
    paused = !paused;
    pause.setAttribute("aria-pressed", String(paused));
    pause.textContent = paused ? "Resume" : "Pause";
    announce(paused ? "Journal paused" : "Journal live again");
    if (!paused) reload();
  });
  clear.addEventListener("click", async () => {
    try {
      await mock.clearRequests();
      announce("Journal cleared");
      reload();
    } catch (error) {
      context.refused(error);
    }
  });
  line = h("p", { class: "state" });
  list = h("ol", { class: "journal", "aria-label": "Requests, newest first" });
  root.replaceChildren(
    h("form", { class: "filters", "aria-label": "Journal filters",
      onsubmit: (event) => { event.preventDefault(); reload(); } },
    h("div", { class: "field" }, h("label", { for: vendorId }, "Vendor"), vendorFilter),
    h("div", { class: "field" }, h("label", { for: statusId }, "Status"), statusFilter),
    h("div", { class: "actions" }, pause, clear)),
    line,
    list,
  );
  update();
}

export function update() {
  const names = Object.keys(context.overview.vendors);
  if (vendorFilter.options.length !== names.length + 1) {
    vendorFilter.replaceChildren(h("option", { value: "" }, "Every vendor"),
      ...names.map((name) => h("option", { value: name }, context.overview.vendors[name].title)));
  }
}

export function show() {
  active = true;
  reload();
}

export function hide() {
  active = false;
  clearTimeout(timer);
  timer = null;
}

function reload() {
  shown = null;
  poll();
}

async function poll() {
  clearTimeout(timer);
  timer = null;
  if (!active) return;
  if (!paused && document.visibilityState === "visible") {
    try {
      await load();
    } catch (error) {
      if (context.refused(error)) return;
      line.textContent = `Could not read the journal: ${error.message}`;
    }
  }
  if (active && timer === null) timer = setTimeout(poll, EVERY_MS);
}

async function load() {
  const status = statusFilter.validity.valid ? statusFilter.value : "";
  const { requests } = await mock.requests({ vendor: vendorFilter.value, status, limit: LIMIT });
  const text = JSON.stringify(requests);
  line.textContent = paused ? "Paused." : `Live: ${requests.length} request${
    requests.length === 1 ? "" : "s"} shown (at most ${LIMIT}), newest first.`;
  if (text === shown) return;
  shown = text;
  render(requests);
}

function render(requests) {
  const focused = document.activeElement?.closest?.("details")?.dataset.key;
  const seen = new Map();
  list.replaceChildren(...requests.map((entry) => {
    const base = [entry.time, entry.worker, entry.method, entry.path, entry.query, entry.status].join("|");
    const repeat = seen.get(base) ?? 0;
    seen.set(base, repeat + 1);
    return row(entry, `${base}|${repeat}`);
  }));
  if (!requests.length) list.append(h("li", { class: "empty" }, "No request yet: call a vendor's endpoint."));
  if (focused) list.querySelector(`details[data-key="${CSS.escape(focused)}"] > summary`)?.focus();
}

function row(entry, key) {
  const target = entry.path + (entry.query ? `?${entry.query}` : "");
  const details = h("details", { dataset: { key, status: entry.status, vendor: entry.vendor ?? "" },
    open: opened.has(key) },
  h("summary", {},
    h("span", { class: "time" }, entry.time.slice(11, 23), hidden(" UTC")),
    h("span", { class: `status s${String(entry.status)[0]}` }, String(entry.status)),
    h("span", { class: "vendor" }, entry.vendor ?? "—"),
    h("code", { class: "target" }, `${entry.method} ${target}`),
    h("span", { class: "ms" }, `${entry.duration_ms} ms`)),
  h("div", { class: "entry" },
    h("dl", { class: "props" },
      h("dt", {}, "Query"), h("dd", {}, h("code", { class: "query" }, entry.query || "(none)")),
      h("dt", {}, "Scenario"), h("dd", {}, entry.scenario ?? "—"),
      h("dt", {}, "Time"), h("dd", {}, entry.time),
      h("dt", {}, "Worker"), h("dd", {}, String(entry.worker))),
    h("h2", { class: "small" }, "Request headers (credentials masked)"),
    h("dl", { class: "headers" }, Object.entries(entry.headers).map(([name, value]) =>
      [h("dt", {}, name), h("dd", {}, h("code", {}, value))])),
    snippet(asCurl(entry), `Copy ${entry.method} ${entry.path} as curl`, "curl")));
  details.addEventListener("toggle", () => {
    if (details.open) opened.add(key);
    else opened.delete(key);
  });
  return h("li", {}, details);
}

/** The entry as a curl command on this mock, with the headers the caller chose (masked). */
export function asCurl(entry) {
  const url = `${window.location.origin}${entry.path}${entry.query ? `?${entry.query}` : ""}`;
  const headers = Object.entries(entry.headers)
    .filter(([name]) => !ADDED.has(name) && !name.startsWith("sec-"));
  return curl(url, headers, entry.method);
}
