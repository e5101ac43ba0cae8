// The data view: a page of a vendor's carts through its own list endpoint. The form is made
// from the parameters the vendor's spec documents (filters, sort, paging, headers), so the
// table shows exactly what the API answers to that call.

import { announce, copyButton, count, h, uniqueId } from "./elements.js";
import { curl } from "./snippets.js";
import { listOperation, loadSpec, resolve } from "./specs.js";

let root;
let context;
let picker;
let form;
let result;
let chosen = null; // the vendor whose form is built
let fields = [];
let running = null; // the AbortController of the call in flight

export function mount(element, shared) {
  root = element;
  context = shared;
  picker = h("select", { id: "data-vendor" });
  picker.addEventListener("change", () => {
    window.history.replaceState(null, "", `#data/${picker.value}`);
    choose(picker.value);
  });
  form = h("form", { class: "params", "aria-label": "List call" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await run();
    // Where the answer is (below the form on a phone): there, for eyes and screen readers.
    result.querySelector("h2")?.focus();
  });
  result = h("div", { class: "result" });
  root.replaceChildren(
    h("div", { class: "pick" }, h("label", { for: "data-vendor" }, "Vendor"), picker),
    h("div", { class: "data-layout" }, form, result),
  );
  update();
}

export function update() {
  const names = Object.keys(context.overview.vendors);
  if (picker.options.length !== names.length) {
    picker.replaceChildren(...names.map((name) =>
      h("option", { value: name }, context.overview.vendors[name].title)));
  }
}

export function show(vendor) {
  const names = Object.keys(context.overview.vendors);
  const wanted = names.includes(vendor) ? vendor : chosen ?? names[0];
  if (wanted !== chosen) choose(wanted);
}

export function hide() {}

async function choose(vendor) {
  chosen = vendor;
  picker.value = vendor;
  const info = context.overview.vendors[vendor];
  form.replaceChildren(h("p", { class: "lede" }, `Reading the ${info.title} spec…`));
  result.replaceChildren();
  let spec;
  try {
    spec = await loadSpec(info.specs.json);
  } catch (error) {
    form.replaceChildren(h("p", { class: "error" }, `Could not read the spec: ${error.message}`));
    return;
  }
  if (chosen !== vendor) return; // another vendor was picked meanwhile
  build(spec, info);
  await run();
}

function build(spec, info) {
  const { parameters } = listOperation(spec);
  fields = parameters.map((parameter) => field(spec, parameter));
  const credential = info.credential;
  const secretId = uniqueId("credential");
  const secret = h("input", { id: secretId, name: credential.header, type: "text",
    value: credential.value, autocomplete: "off", spellcheck: "false" });
  fields.push({ in: "header", element: h("div", { class: "field" },
    h("label", { for: secretId }, h("code", {}, credential.header), " (credential)"), secret),
  read: () => (secret.value ? [[credential.header, secret.value]] : []) });
  const group = (where, legend) => {
    const members = fields.filter((f) => f.in === where).map((f) => f.element);
    return members.length
      ? h("fieldset", { class: `group ${where}` }, h("legend", {}, legend), members)
      : null;
  };
  form.replaceChildren(...[
    group("path", "Path"),
    group("query", "Query: filters, sort and paging"),
    group("header", "Headers"),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, `Fetch ${info.title} carts`),
      h("button", { type: "reset" }, "Clear the form")),
  ].filter(Boolean));
}

/** One form control for a documented parameter, and how to read it back as (name, value)s. */
function field(spec, parameter) {
  const id = uniqueId("param");
  const name = parameter.name;
  const schema = resolve(spec, parameter.schema ?? {}) ?? {};
  const media = parameter.content ? Object.keys(parameter.content)[0] : null;
  const example = parameter.example ?? parameter["x-example"]
    ?? (media ? parameter.content[media].example : undefined) ?? schema.example;
  const items = schema.type === "array" ? resolve(spec, schema.items ?? {}) ?? {} : null;
  const style = parameter.style ?? (parameter.in === "query" ? "form" : "simple");
  const explode = parameter.explode ?? style === "form";
  const hint = summary(parameter.description);
  const hintId = hint ? `${id}-hint` : null;
  const label = h("label", { for: id }, h("code", {}, name),
    parameter.required ? " (required)" : "");
  const described = { id, name, "aria-describedby": hintId };
  const many = (values) => (explode ? values.map((v) => [name, v]) : [[name, values.join(",")]]);
  let control;
  let read;

  if (items?.enum) {
    const boxes = items.enum.map((value) => h("input", { type: "checkbox", value, name }));
    const element = h("fieldset", { class: "field choices", "aria-describedby": hintId },
      h("legend", {}, h("code", {}, name)),
      h("div", { class: "boxes" }, boxes.map((box) =>
        h("label", { class: "box" }, box, ` ${box.value}`))),
      hint ? h("small", { id: hintId }, hint) : null);
    const checked = () => boxes.filter((b) => b.checked).map((b) => b.value);
    return { in: parameter.in, element, read: () => (checked().length ? many(checked()) : []) };
  }
  if (media) {
    control = h("textarea", { ...described, rows: 2, spellcheck: "false",
      placeholder: example === undefined ? "JSON" : JSON.stringify(example) });
    read = () => (control.value.trim() ? [[name, control.value.trim()]] : []);
  } else if (items) {
    control = h("input", { ...described, type: "text", spellcheck: "false",
      placeholder: example === undefined ? "comma-separated" : [].concat(example).join(",") });
    read = () => {
      const values = control.value.split(",").map((v) => v.trim()).filter(Boolean);
      return values.length ? many(values) : [];
    };
  } else if (schema.enum || schema.type === "boolean") {
    const values = schema.enum ?? [true, false];
    control = h("select", described,
      parameter.required ? null : h("option", { value: "" }, "(not set)"),
      values.map((value) => h("option", { value: String(value) },
        `${value}${value === schema.default ? " (default)" : ""}`)));
    if (parameter.required && schema.default !== undefined) control.value = String(schema.default);
    read = () => (control.value ? [[name, control.value]] : []);
  } else {
    const number = schema.type === "integer" || schema.type === "number";
    const type = number ? "number" : schema.format === "date" ? "date" : "text";
    const bounds = [schema.minimum !== undefined ? `min ${schema.minimum}` : null,
      schema.maximum !== undefined ? `max ${schema.maximum}` : null].filter(Boolean);
    const placeholder = number
      ? [schema.default !== undefined ? `default ${schema.default}` : null, ...bounds]
        .filter(Boolean).join(", ")
      : example === undefined ? "" : `e.g. ${example}`;
    control = h("input", { ...described, type, spellcheck: "false", placeholder,
      min: schema.minimum, max: schema.maximum, step: schema.type === "integer" ? 1 : number ? "any" : null });
    if (parameter.in === "path") control.value = example ?? "";
    read = () => (control.value !== "" ? [[name, control.value]] : []);
  }
  if (parameter.required) control.required = true;
  const element = h("div", { class: "field" }, label, control,
    hint ? h("small", { id: hintId }, hint) : null);
  return { in: parameter.in, element, read };
}

/** The first sentence of a parameter's description, without Markdown's backticks. */
function summary(description) {
  if (!description) return null;
  const text = description.replaceAll("`", "").replace(/\s+/g, " ").trim();
  const sentence = text.match(/^.*?\.(\s|$)/)?.[0].trim() ?? text;
  return sentence.length > 140 ? `${sentence.slice(0, 139)}…` : sentence;
}

/** Call the list endpoint as the form says, and show the answer. */
async function run() {
  const info = context.overview.vendors[chosen];
  let path = info.list.path;
  const query = [];
  const headers = {};
  for (const f of fields) {
    for (const [name, value] of f.read()) {
      if (f.in === "path") path = path.replace(`{${name}}`, encodeURIComponent(value));
      else if (f.in === "query") query.push(`${encode(name)}=${encode(value)}`);
      else headers[name] = value;
    }
  }
  const url = `${window.location.origin}${path}${query.length ? `?${query.join("&")}` : ""}`;
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const started = performance.now();
  let response;
  let text;
  try {
    response = await fetch(url, { headers, signal: controller.signal });
    text = await response.text();
  } catch (error) {
    if (error.name === "AbortError") return;
    result.replaceChildren(h("p", { class: "error" }, `The call failed: ${error.message}`));
    return;
  }
  const elapsed = Math.round(performance.now() - started);
  showAnswer(info, url, headers, response, text, elapsed);
}

/** A query string part as a person reads it: brackets and commas left as they are. */
function encode(text) {
  return encodeURIComponent(text).replace(/%5B/g, "[").replace(/%5D/g, "]").replace(/%2C/g, ",");
}

function showAnswer(info, url, headers, response, text, elapsed) {
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: shown raw
  }
  const carts = body && typeof body === "object"
    ? Object.values(body).find((value) => Array.isArray(value)) : undefined;
  const ok = response.ok;
  const line = h("p", { class: "request" },
    h("span", { class: `status ${ok ? "ok" : "bad"}`, "data-status": response.status },
      String(response.status)),
    " ", h("code", { class: "url" }, `GET ${url}`), ` ${elapsed} ms `,
    copyButton(curl(url, headers), `Copy this ${info.title} call as curl`));
  const raw = h("details", { class: "raw", open: !ok || !carts },
    h("summary", {}, "Raw JSON"),
    h("pre", {}, h("code", {}, body === null ? text : JSON.stringify(body, null, 2))));
  const parts = [h("h2", { tabindex: "-1" }, `${info.title} answered`), line];
  if (!ok) parts.push(h("p", { class: "error" }, `The mock answered ${response.status}: see the body below.`));
  if (carts) {
    parts.push(h("p", { class: "summary" }, carts.length
      ? `${count(carts.length)} cart${carts.length === 1 ? "" : "s"} on this page.`
      : "No carts on this page."));
    if (carts.length) parts.push(table(info, carts));
  }
  parts.push(raw);
  result.replaceChildren(...parts);
  announce(`${info.title}: ${response.status}${carts ? `, ${carts.length} carts` : ""}`);
}

/** The carts' plain fields (nested ones are in the raw JSON), one row per cart. */
function table(info, carts) {
  const nested = new Set();
  for (const cart of carts) {
    for (const [key, value] of Object.entries(cart)) {
      if (value !== null && typeof value === "object") nested.add(key);
    }
  }
  const columns = Object.keys(carts[0]).filter((key) => !nested.has(key));
  return h("div", { class: "table-wrap", role: "region", tabindex: "0",
    "aria-label": `${info.title} carts (scrolls sideways)` },
  h("table", { class: "carts" },
    h("caption", { class: "vh" }, `${info.title} carts: plain fields; nested ones are in the raw JSON`),
    h("thead", {}, h("tr", {}, columns.map((key) => h("th", { scope: "col" }, key)))),
    h("tbody", {}, carts.map((cart) => h("tr", {}, columns.map((key) => cell(cart[key])))))));
}

function cell(value) {
  if (value === null || value === undefined) return h("td", { class: "null" }, "null");
  return h("td", {}, typeof value === "string" ? value : JSON.stringify(value));
}
