// The console's shell: reads the overview, shows one view at a time (the URL's #fragment names
// it: #overview, #explorer/stateset, #data/epages, #steer, #journal), and keeps the overview
// fresh. With the admin API off it says so; with an admin token it asks for it.

import { AdminError, adminToken, mock, setAdminToken } from "./admin.js";
import * as data from "./data.js";
import * as explorer from "./explorer.js";
import * as journal from "./journal.js";
import * as overview from "./overview.js";
import * as steer from "./steer.js";

const VIEWS = { overview, explorer, data, steer, journal };
const TITLES = {
  overview: "Overview",
  explorer: "Explorer",
  data: "Data",
  steer: "Scenarios & faults",
  journal: "Journal",
};
const FRESH_EVERY_MS = 2000; // the overview, while a view showing it is open
const LIVE = new Set(["overview", "steer"]);

/** What every view shares: the mock's overview and scenarios, and a way to re-read them. */
const context = {
  overview: null,
  scenarios: null,
  /** Re-read the overview (after a change, or to pick up a script's); views redraw if it moved. */
  async refresh() {
    const fresh = await mock.overview();
    const moved = JSON.stringify(fresh) !== JSON.stringify(context.overview);
    context.overview = fresh;
    if (moved) for (const view of Object.values(VIEWS)) view.update(context);
  },
  /** A refused admin call: ask for the token, or say the admin API is off. */
  refused(error) {
    if (error instanceof AdminError && (error.status === 401 || error.status === 403)) {
      stop(error);
      return true;
    }
    return false;
  },
};

let shown = null;
let mounted = false;
let timer = null;

async function start() {
  try {
    [context.overview, context.scenarios] = await Promise.all([mock.overview(), mock.scenarios()]);
  } catch (error) {
    stop(error);
    return;
  }
  element("loading").hidden = true;
  element("notice").hidden = true;
  element("token-form").hidden = true;
  document.querySelector("nav").hidden = false;
  if (!mounted) {
    for (const [name, view] of Object.entries(VIEWS)) view.mount(element(`${name}-body`), context);
    window.addEventListener("hashchange", () => route(true));
    mounted = true;
  } else {
    for (const view of Object.values(VIEWS)) view.update(context);
  }
  route(false);
  timer ??= setInterval(keepFresh, FRESH_EVERY_MS);
}

function route(moveFocus) {
  const [name, vendor] = decodeURIComponent(window.location.hash.slice(1)).split("/", 2);
  const next = name in VIEWS ? name : "overview";
  for (const [other, view] of Object.entries(VIEWS)) {
    const section = element(`view-${other}`);
    if (other !== next && !section.hidden) {
      section.hidden = true;
      view.hide();
    }
  }
  element(`view-${next}`).hidden = false;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === next) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${TITLES[next]} · cartkit mock console`;
  shown = next;
  VIEWS[next].show(vendor || undefined); // each view checks what follows the slash
  if (moveFocus) element(`h-${next}`).focus();
}

async function keepFresh() {
  if (!LIVE.has(shown) || document.visibilityState !== "visible") return;
  try {
    await context.refresh();
  } catch (error) {
    context.refused(error);
  }
}

/** Stop showing the console: the admin API refused (or the mock is gone); say why. */
function stop(error) {
  clearInterval(timer);
  timer = null;
  for (const [name, view] of Object.entries(VIEWS)) {
    element(`view-${name}`).hidden = true;
    if (mounted) view.hide();
  }
  shown = null;
  document.querySelector("nav").hidden = true;
  element("loading").hidden = true;
  if (error instanceof AdminError && error.status === 401) {
    const form = element("token-form");
    const refusal = element("token-error");
    refusal.hidden = !adminToken();
    refusal.textContent = "That token was refused: the mock expects its --admin-token.";
    setAdminToken(null);
    form.hidden = false;
    element("token-input").focus();
    return;
  }
  const notice = element("notice");
  element("notice-title").textContent =
    error instanceof AdminError && error.status === 403
      ? "The admin API is off"
      : "The console cannot reach the mock";
  element("notice-text").textContent = error.message;
  notice.hidden = false;
}

element("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = element("token-input");
  setAdminToken(input.value.trim());
  input.value = "";
  element("token-form").hidden = true;
  start();
});

function element(id) {
  return document.getElementById(id);
}

start();
