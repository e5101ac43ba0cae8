// The vendors' OpenAPI documents as the mock serves them (<prefix>/openapi.json, this mock first
// in `servers`), read once per page.

const loaded = new Map();

/** The document at *url* (a promise, shared by every caller). */
export function loadSpec(url) {
  if (!loaded.has(url)) {
    loaded.set(url, fetch(url, { cache: "no-store" }).then((response) => {
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      return response.json();
    }));
  }
  return loaded.get(url);
}

/** *node* with its local `$ref` followed (`#/components/...`), repeatedly. */
export function resolve(spec, node) {
  let found = node;
  for (let hops = 0; found && typeof found.$ref === "string" && hops < 32; hops += 1) {
    found = found.$ref
      .slice(2)
      .split("/")
      .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((at, part) => at?.[part], spec);
  }
  return found;
}

/** The list operation of a vendor's document: its path, and its parameters resolved. */
export function listOperation(spec) {
  const [path, item] = Object.entries(spec.paths)[0];
  const operation = item.get;
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
    .map((parameter) => resolve(spec, parameter));
  return { path, operation, parameters };
}
