// The overview: the mock's facts, and per vendor everything a first call needs.

import { copyButton, count, h, hidden, snippet } from "./elements.js";
import { curl, fetchCall } from "./snippets.js";

let root;
let context;

export function mount(element, shared) {
  root = element;
  context = shared;
  render();
}

export function update() {
  render();
}

export function show() {}

export function hide() {}

/** "none", or what the vendor's faults add: "200 ms ± 50, 10 % errors". */
export function describeFaults({ latency_ms: latency, jitter_ms: jitter, error_rate: rate }) {
  const parts = [];
  if (latency || jitter) parts.push(`${latency} ms${jitter ? ` ± ${jitter}` : ""} late`);
  if (rate) parts.push(`${Math.round(rate * 1000) / 10} % errors`);
  return parts.length ? parts.join(", ") : "none";
}

function render() {
  const facts = context.overview;
  const cors = facts.cors.enabled
    ? facts.cors.origins.length ? facts.cors.origins.join(", ") : "any origin"
    : "off";
  root.replaceChildren(
    h("dl", { class: "facts", "aria-label": "The mock" },
      fact("Seed", String(facts.seed)),
      fact("Carts per vendor", count(facts.carts)),
      fact("Now (--now)", facts.now),
      fact("Workers", String(facts.workers)),
      fact("Journal", `${count(facts.journal_size)} requests per worker`),
      fact("CORS", cors)),
    h("div", { class: "cards" },
      Object.entries(facts.vendors).map(([name, vendor]) => card(name, vendor))),
  );
}

function fact(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

function card(name, vendor) {
  const title = `${name}-title`;
  const url = vendor.list.url;
  const credential = vendor.credential;
  const steered = vendor.scenario !== "default" || describeFaults(vendor.faults) !== "none";
  return h("article", { class: "card vendor", id: `vendor-${name}`, "aria-labelledby": title,
    dataset: { vendor: name } },
  h("header", {},
    h("h2", { id: title }, vendor.title),
    h("code", { class: "name" }, name)),
  h("dl", { class: "props" },
    h("dt", {}, "List endpoint"),
    h("dd", { class: "endpoint" },
      h("code", { class: "url" }, url),
      copyButton(url, `Copy the ${vendor.title} list URL`)),
    h("dt", {}, "Headers"),
    h("dd", { class: "headers" },
      Object.entries(vendor.headers).map(([header, value]) =>
        h("code", { class: header === credential.header ? "credential" : null },
          `${header}: ${value}`)),
      h("span", { class: "hint" }, credential.only
        ? `${credential.header}: only this value is accepted (--token/--api-key)`
        : `${credential.header}: any well-formed value works`)),
    h("dt", {}, "Carts"),
    h("dd", {}, count(vendor.carts)),
    h("dt", {}, "Scenario"),
    h("dd", {}, h("span", { class: `badge${vendor.scenario === "default" ? "" : " warn"}`,
      dataset: { scenario: vendor.scenario } }, vendor.scenario)),
    h("dt", {}, "Faults"),
    h("dd", { class: "faults" }, describeFaults(vendor.faults))),
  steered ? h("p", { class: "steered" },
    "Steered at run time: ", h("a", { href: "#steer" }, "reset it"), " to list the seeded carts.") : null,
  h("h3", {}, "curl"),
  snippet(curl(url, vendor.headers), `Copy the ${vendor.title} curl command`, "curl"),
  h("h3", {}, "fetch"),
  snippet(fetchCall(url, vendor.headers), `Copy the ${vendor.title} fetch snippet`, "fetch"),
  tokens(name, vendor),
  h("p", { class: "links" },
    h("a", { href: `#explorer/${name}` }, "Try it in the explorer", hidden(` (${vendor.title})`)),
    h("a", { href: `#data/${name}` }, "Browse its carts", hidden(` (${vendor.title})`)),
    h("a", { href: vendor.specs.json }, hidden(`${vendor.title} `), "spec (JSON)"),
    h("a", { href: vendor.specs.yaml }, hidden(`${vendor.title} `), "spec (YAML)")));
}

function tokens(name, vendor) {
  if (!vendor.tokens.length) {
    return h("p", { class: "hint" }, "No token step: the key is sent as is.");
  }
  return h("div", { class: "tokens" },
    h("h3", {}, "Token endpoints"),
    h("ul", {}, vendor.tokens.map((endpoint) => h("li", {},
      h("code", {}, `${endpoint.method} ${endpoint.url}`)))),
    h("p", { class: "links" },
      h("a", { href: `#explorer/${name}~tokens` }, "Try them",
        hidden(` (${vendor.title} token endpoints)`)),
      h("a", { href: vendor.token_specs.json }, hidden(`${vendor.title} `), "token spec (JSON)"),
      h("a", { href: vendor.token_specs.yaml }, hidden(`${vendor.title} `), "token spec (YAML)")));
}
