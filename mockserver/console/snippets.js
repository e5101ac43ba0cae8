// Ready-to-run calls: a curl command line and a fetch() snippet.

/** *text* as one single-quoted shell word. */
export function shellQuote(text) {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A curl command for `method url` with *headers* (an object, or [name, value] pairs). */
export function curl(url, headers, method = "GET") {
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers);
  // -g: brackets and braces in a URL (page[limit]=...) are data, not curl's globbing.
  const flags = /[[\]{}]/.test(url) ? "-sg" : "-s";
  const words = [`curl ${flags}${method === "GET" ? "" : ` -X ${method}`}`];
  for (const [name, value] of pairs) words.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  return `${words.join(" ")} \\\n  ${shellQuote(url)}`;
}

/** A fetch() call for `GET url` with *headers*, as a browser app would make it. */
export function fetchCall(url, headers) {
  const fields = Object.entries(headers)
    .map(([name, value]) => `${JSON.stringify(name)}: ${JSON.stringify(value)}`)
    .join(", ");
  return [
    `const response = await fetch(${JSON.stringify(url)}, {`,
    `  headers: { ${fields} },`,
    "});",
    "const body = await response.json();",
  ].join("\n");
}
