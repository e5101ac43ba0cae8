// The explorer: each vendor's OpenAPI document in Swagger UI (vendored, loaded the first time
// this view opens), with "Try it out" on, calls going to this mock and the demo credential
// filled in. Two changes to the document as served, for trying it here: only this mock is left
// in `servers`, and optional parameters start empty (their examples move into their
// descriptions), so that Execute lists carts as the vendor's defaults do.

import { h } from "./elements.js";
import { loadSpec } from "./specs.js";

const ASSETS = "/__cartkit/console/vendor/swagger-ui";
const TOKENS = "~tokens"; // #explorer/elasticpath~tokens: the vendor's token endpoints

let root;
let context;
let picker;
let stage;
let chosen = null;
let library = null;

export function mount(element, shared) {
  root = element;
  context = shared;
  picker = h("select", { id: "explorer-document" });
  picker.addEventListener("change", () => {
    window.history.replaceState(null, "", `#explorer/${picker.value}`);
    open(picker.value);
  });
  stage = h("div", { class: "swagger-stage" });
  root.replaceChildren(
    h("div", { class: "pick" }, h("label", { for: "explorer-document" }, "Document"), picker),
    stage,
  );
  update();
}

export function update() {
  const options = [];
  for (const [name, vendor] of Object.entries(context.overview.vendors)) {
    options.push(h("option", { value: name }, `${vendor.title}: list carts`));
    if (vendor.token_specs) {
      options.push(h("option", { value: name + TOKENS }, `${vendor.title}: token endpoints`));
    }
  }
  if (picker.options.length !== options.length) {
    picker.replaceChildren(...options);
    if (chosen) picker.value = chosen;
  }
}

export function show(which) {
  const known = [...picker.options].map((option) => option.value);
  const wanted = known.includes(which) ? which : chosen ?? known[0];
  if (wanted !== chosen) open(wanted);
}

export function hide() {}

async function open(which) {
  chosen = which;
  picker.value = which;
  const name = which.replace(TOKENS, "");
  const vendor = context.overview.vendors[name];
  const url = which.endsWith(TOKENS) ? vendor.token_specs.json : vendor.specs.json;
  stage.replaceChildren(h("p", { class: "lede" }, "Loading the viewer…"));
  let SwaggerUIBundle;
  let spec;
  try {
    [SwaggerUIBundle, spec] = await Promise.all([swaggerUI(), loadSpec(url)]);
  } catch (error) {
    stage.replaceChildren(h("p", { class: "error" }, `Could not open the document: ${error.message}`));
    return;
  }
  if (chosen !== which) return;
  const node = h("div", { class: "swagger", dataset: { document: which } });
  stage.replaceChildren(node);
  const ui = SwaggerUIBundle({
    domNode: node,
    spec: forTrying(spec),
    deepLinking: false, // the console owns the URL's #fragment
    tryItOutEnabled: true,
    docExpansion: "full",
    defaultModelsExpandDepth: 0,
    validatorUrl: "none", // no call to validator.swagger.io
    displayRequestDuration: true,
    onComplete() {
      // It may run before SwaggerUIBundle() returns: once `ui` is set, then.
      queueMicrotask(() => authorize(ui, spec, vendor));
    },
  });
}

/** Swagger UI's bundle and stylesheet, added to the page once. */
function swaggerUI() {
  library ??= new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: `${ASSETS}/swagger-ui.css` }));
    const script = h("script", { src: `${ASSETS}/swagger-ui-bundle.js` });
    script.addEventListener("load", () => resolve(window.SwaggerUIBundle));
    script.addEventListener("error", () => reject(new Error("Swagger UI did not load")));
    document.head.append(script);
  });
  return library;
}

/** The document as served, made for trying on this mock (see the module's comment). */
export function forTrying(spec) {
  const copy = structuredClone(spec);
  copy.servers = (copy.servers ?? []).slice(0, 1);
  const parameters = [...Object.values(copy.components?.parameters ?? {})];
  for (const item of Object.values(copy.paths ?? {})) {
    parameters.push(...(item.parameters ?? []));
    for (const operation of Object.values(item)) {
      if (operation && Array.isArray(operation.parameters)) parameters.push(...operation.parameters);
    }
  }
  for (const parameter of parameters) {
    if (!parameter || parameter.$ref || parameter.required) continue;
    const examples = [parameter.example, ...Object.values(parameter.content ?? {})
      .map((media) => media.example)].filter((value) => value !== undefined);
    delete parameter.example;
    delete parameter.examples;
    for (const media of Object.values(parameter.content ?? {})) {
      delete media.example;
      delete media.examples;
    }
    if (parameter.schema && !parameter.schema.$ref) delete parameter.schema.example;
    if (examples.length) {
      const shown = typeof examples[0] === "string" ? examples[0] : JSON.stringify(examples[0]);
      parameter.description = `${parameter.description ?? ""}\n\nExample: \`${shown}\``.trim();
    }
  }
  return copy;
}

/** Fill in the demo credential for each security scheme of the document that carries it. */
function authorize(ui, spec, vendor) {
  const credential = vendor.credential;
  const token = credential.scheme === "bearer"
    ? credential.value.replace(/^Bearer\s+/i, "") : credential.value;
  const schemes = spec.components?.securitySchemes ?? {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (scheme.type === "apiKey" && scheme.in === "header"
        && scheme.name.toLowerCase() === credential.header.toLowerCase()) {
      ui.preauthorizeApiKey(name, credential.value);
    } else if (scheme.type === "http" && scheme.scheme?.toLowerCase() === "bearer"
        && credential.scheme === "bearer") {
      ui.preauthorizeApiKey(name, token);
    } else if (scheme.type === "oauth2" && credential.scheme === "bearer") {
      ui.authActions.authorizeOauth2({
        auth: { name, schema: scheme, scopes: [] },
        token: { access_token: token, token_type: "Bearer" },
      });
    }
  }
}
