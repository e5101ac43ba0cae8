// The admin API (/__cartkit/...), the console's only way to read and steer the mock. Every call
// here is one a script can make (see /__cartkit/openapi.json).

const TOKEN_KEY = "cartkit.adminToken";

/** A refusal of the admin API: `status` 401 (token needed), 403 (off), 400 (bad input). */
export class AdminError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

/** The admin token this tab was given, if any (kept in session storage). */
export function adminToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setAdminToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/**
 * Call `/__cartkit/<path>`: `admin("faults", {method: "PUT", body: {...}})`.
 * Returns the JSON answer (`null` for 204); throws an AdminError for a refusal.
 */
export async function admin(path, { method = "GET", body, query } = {}) {
  const url = new URL(`/__cartkit/${path}`, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Accept: "application/json" };
  const token = adminToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (response.ok) return response.status === 204 ? null : response.json();
  let message = `${response.status} ${response.statusText}`;
  let field;
  try {
    const refusal = (await response.json()).error;
    message = refusal.message ?? message;
    field = refusal.field;
  } catch {
    // not cartkit's envelope: keep the status line
  }
  throw new AdminError(response.status, message, field);
}

/** The admin calls the console makes, by what they do. */
export const mock = {
  overview: () => admin("overview"),
  scenarios: () => admin("scenarios"),
  switchScenario: (vendor, scenario) =>
    admin("scenario", { method: "PUT", body: vendor ? { vendor, scenario } : { scenario } }),
  changeFaults: (vendor, settings) =>
    admin("faults", { method: "PUT", body: vendor ? { vendor, ...settings } : settings }),
  resetFaults: (vendor) => admin("faults", { method: "DELETE", query: { vendor } }),
  requests: (filters) => admin("requests", { query: filters }),
  clearRequests: () => admin("requests", { method: "DELETE" }),
};
