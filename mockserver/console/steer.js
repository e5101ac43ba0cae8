// Scenarios and faults: per vendor, the scenario its list endpoint answers in, the latency and
// error rate it adds, and a reset (scenario `default`, the start-up faults). Every change is
// one admin call (PUT /__cartkit/scenario, PUT or DELETE /__cartkit/faults).

import { mock } from "./admin.js";
import { announce, h, hidden, uniqueId } from "./elements.js";
import { describeFaults } from "./overview.js";

const SETTINGS = [
  { name: "latency_ms", label: "Latency (ms)", max: 60000, step: 1 },
  { name: "jitter_ms", label: "Jitter (ms)", max: 60000, step: 1 },
  { name: "error_rate", label: "Error rate (0 to 1)", max: 1, step: 0.01 },
];

let root;
let context;
const cards = new Map(); // vendor -> its controls

export function mount(element, shared) {
  root = element;
  context = shared;
  const scenarios = context.scenarios.scenarios;
  root.replaceChildren(
    everyVendor(scenarios),
    h("div", { class: "cards" },
      Object.entries(context.overview.vendors).map(([name, vendor]) => card(name, vendor, scenarios))),
  );
  update();
}

export function show() {
  update();
}

export function hide() {}

/** Show the scenario and faults in force (a form being edited keeps what was typed). */
export function update() {
  const descriptions = Object.fromEntries(
    context.scenarios.scenarios.map((s) => [s.name, s.description]));
  for (const [name, controls] of cards) {
    const vendor = context.overview.vendors[name];
    controls.select.value = vendor.scenario;
    controls.about.textContent = descriptions[vendor.scenario] ?? "";
    controls.state.textContent =
      `Answers in ${vendor.scenario}; faults: ${describeFaults(vendor.faults)}.`;
    const editing = controls.dirty || controls.form.contains(document.activeElement);
    if (!editing) {
      for (const setting of SETTINGS) controls.inputs[setting.name].value = vendor.faults[setting.name];
    }
  }
}

function card(name, vendor, scenarios) {
  const id = uniqueId("scenario");
  const select = h("select", { id, name: "scenario", "aria-describedby": `${id}-about` },
    scenarios.map((s) => h("option", { value: s.name }, s.name)));
  select.addEventListener("change", () => act(name, `${vendor.title} now answers in ${select.value}`,
    () => mock.switchScenario(name, select.value)));
  const inputs = {};
  const form = h("form", { class: "faults", "aria-label": `${vendor.title} faults` },
    SETTINGS.map((setting) => {
      const inputId = uniqueId(setting.name);
      inputs[setting.name] = h("input", { id: inputId, name: setting.name, type: "number",
        min: 0, max: setting.max, step: setting.step, required: true, inputmode: "decimal" });
      return h("div", { class: "field" },
        h("label", { for: inputId }, setting.label, hidden(` for ${vendor.title}`)),
        inputs[setting.name]);
    }),
    h("button", { type: "submit" }, "Apply faults", hidden(` to ${vendor.title}`)));
  const controls = { select, inputs, form, dirty: false,
    about: h("p", { class: "hint", id: `${id}-about` }),
    state: h("p", { class: "state", dataset: { vendor: name } }),
    error: h("p", { class: "error", role: "alert", hidden: true }) };
  form.addEventListener("input", () => { controls.dirty = true; });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const settings = Object.fromEntries(
      SETTINGS.map((s) => [s.name, Number(inputs[s.name].value)]));
    act(name, `${vendor.title} faults: ${describeFaults(settings)}`,
      () => mock.changeFaults(name, settings));
  });
  const reset = h("button", { type: "button", class: "reset" }, "Reset", hidden(` ${vendor.title}`));
  reset.addEventListener("click", () => act(name,
    `${vendor.title} reset: the seeded carts, the start-up faults`,
    () => Promise.all([mock.switchScenario(name, "default"), mock.resetFaults(name)])));
  cards.set(name, controls);
  return h("section", { class: "card steer", "aria-labelledby": `steer-${name}`,
    dataset: { vendor: name } },
  h("h2", { id: `steer-${name}` }, vendor.title),
  controls.state,
  h("div", { class: "field" },
    h("label", { for: id }, "Scenario", hidden(` for ${vendor.title}`)), select, controls.about),
  form,
  h("div", { class: "actions" }, reset),
  controls.error);
}

function everyVendor(scenarios) {
  const id = uniqueId("scenario-all");
  const select = h("select", { id, name: "scenario" },
    scenarios.map((s) => h("option", { value: s.name }, s.name)));
  const form = h("form", { class: "every" },
    h("div", { class: "field" }, h("label", { for: id }, "Scenario for every vendor"), select),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, "Switch every vendor"),
      h("button", { type: "button", class: "reset", onclick: () => act(null,
        "Every vendor reset: the seeded carts, the start-up faults",
        () => Promise.all([mock.switchScenario(null, "default"), mock.resetFaults(null)])) },
      "Reset every vendor")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(null, `Every vendor now answers in ${select.value}`,
      () => mock.switchScenario(null, select.value));
  });
  return form;
}

/** Make the admin call(s), then show the new state everywhere (the overview too). */
async function act(vendor, done, call) {
  const targets = vendor ? [cards.get(vendor)] : [...cards.values()];
  for (const controls of targets) controls.error.hidden = true;
  try {
    await call();
    for (const controls of targets) controls.dirty = false;
    await context.refresh();
    update();
    announce(done);
  } catch (error) {
    if (context.refused(error)) return;
    for (const controls of targets) {
      controls.error.textContent = error.message;
      controls.error.hidden = false;
    }
  }
}
