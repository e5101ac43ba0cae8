// Building the console's elements. Values from the mock are always set as text, never parsed
// as markup.

/**
 * A new element: `h("a", {href: "#x", class: "link"}, "text", child)`.
 * Attributes: `class`, `text`, `on<event>` (a listener), `dataset`; `false`/`null` leave one out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Text read by screen readers only. */
export const hidden = (text) => h("span", { class: "vh" }, text);

let counter = 0;

/** An id unique in the page, for `for`/`aria-describedby`. */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** Say *message* through the page's live region (and show it briefly). */
export function announce(message) {
  const region = document.getElementById("status");
  region.textContent = message;
}

/** Put *text* on the clipboard; true when it worked. */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // not focused, or not allowed: fall back to a selection
    }
  }
  const area = h("textarea", { class: "offscreen", readonly: true, "aria-hidden": "true" });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } finally {
    area.remove();
  }
  return copied;
}

/** A "Copy" button for *text* (a function gives the text when pressed); *label* names it. */
export function copyButton(text, label) {
  const button = h("button", { type: "button", class: "copy", "aria-label": label }, "Copy");
  button.addEventListener("click", async () => {
    const copied = await copyText(typeof text === "function" ? text() : text);
    announce(copied ? `Copied: ${label.replace(/^Copy /, "")}` : "Could not copy: select the text");
    button.textContent = copied ? "Copied" : "Select it";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
  return button;
}

/** A code block whose text can be copied: `<pre><code>` and its button. */
export function snippet(text, label, className) {
  return h("div", { class: `snippet ${className ?? ""}` },
    h("pre", {}, h("code", {}, text)),
    copyButton(text, label));
}

/** A number for people: 1000 -> "1,000". */
export const count = (n) => n.toLocaleString("en-US");
