// What a browser app on another origin sees of the cartkit mock.
//
// Every call below is cross-origin (this page is served from another host and port than the
// mock), and every call carrying a credential header is preflighted. A call the browser refuses
// for CORS rejects fetch() with a TypeError, recorded as {error}. The findings go to
// window.results for the tests (tests/browser/test_cross_origin.py) and to the table for people.
'use strict';

const params = new URLSearchParams(window.location.search);
const MOCK = (params.get('mock') || 'http://127.0.0.1:8000').replace(/\/+$/, '');
const EMAIL = params.get('email');

// Each vendor's list endpoint with the credentials of the README's examples, and where its
// envelope says how many carts match.
const VENDORS = {
  shopimind: {
    path: '/shopimind/v1/carts',
    headers: { 'spm-api-key': 'cartkit-demo-key-0123456789' },
    total: (body) => body.meta.pagination.total_items,
  },
  nextcommerce: {
    path: '/nextcommerce/api/admin/carts/',
    headers: { Authorization: 'Bearer test', 'X-29next-API-Version': '2023-02-10' },
    total: (body) => body.results.length, // cursor paging: no total, count this page
  },
  elasticpath: {
    path: '/elasticpath/v2/carts',
    headers: { Authorization: 'Bearer test' },
    total: (body) => body.meta.results.total,
  },
  epages: {
    path: '/epages/rs/shops/DemoShop/carts',
    headers: { Authorization: 'Bearer test' },
    total: (body) => body.results,
  },
  stateset: {
    path: '/stateset/v1/carts',
    headers: { Authorization: 'Bearer sk_test_x' },
    total: (body) => body.total_count,
  },
};

// The two Elastic Path apps: a back end (client_credentials: sees every cart) and a storefront
// (implicit: sees only a logged-in shopper's carts).
const BACKEND = { client_id: 'cartkit-backend', client_secret: 'cartkit-backend-secret' };
const STOREFRONT = { client_id: 'cartkit-storefront' };
const SHOPPER_PASSWORD = 'any-password'; // the mock accepts any password of a known customer

// One fetch(): its status, the response headers this page may read, and the body as text.
async function call(path, init = {}) {
  try {
    const response = await fetch(MOCK + path, init);
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers), // only the readable ones (lower case)
      rateLimitRemaining: response.headers.get('X-RateLimit-Remaining'),
      text: await response.text(),
    };
  } catch (error) {
    return { error: String(error) };
  }
}

// A promise's outcome as data: {ok, value} or {ok: false, error} (the SDK rejects with the
// error body it received, or with a TypeError when the browser refused the call).
async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? String(error) : error };
  }
}

function sdkClient(app) {
  const url = new URL(MOCK);
  return window.index.gateway({
    ...app,
    host: url.host + url.pathname.replace(/\/+$/, '') + '/elasticpath', // no trailing slash
    protocol: url.protocol.replace(':', ''),
    fetchMaxAttempts: 1, // no retries: a refusal shows at once
  });
}

// The credentials the SDK stored for the app that authenticated last.
function storedCredentials() {
  return JSON.parse(window.localStorage.getItem('epCredentials'));
}

async function backend() {
  const client = sdkClient(BACKEND);
  const carts = await settle(client.Cart().GetCartsList());
  return { carts, credentials: storedCredentials() };
}

async function storefront() {
  const client = sdkClient(STOREFRONT);
  // The implicit token alone: a storefront may not list every cart.
  const alone = await settle(client.Cart().GetCartsList());
  const login = await settle(client.Customers.TokenViaPassword(EMAIL, SHOPPER_PASSWORD));
  const carts = login.ok
    ? await settle(client.Cart().GetCartsList(login.value.data.token))
    : { ok: false, error: 'no customer token' };
  return { alone, login, carts, credentials: storedCredentials() };
}

async function run() {
  const results = { mock: MOCK, lists: {}, refusals: {} };
  for (const [name, vendor] of Object.entries(VENDORS)) {
    const answer = await call(vendor.path, { headers: vendor.headers });
    if (answer.status === 200) answer.total = vendor.total(JSON.parse(answer.text));
    results.lists[name] = answer;
  }
  // No credentials: simple requests (no preflight), whose error bodies must still be readable.
  for (const name of ['shopimind', 'epages', 'stateset']) {
    results.refusals[name] = await call(VENDORS[name].path);
  }
  // A credentialed call (cookies, if there were any): needs Access-Control-Allow-Credentials.
  results.credentialed = await call(`${VENDORS.epages.path}?resultsPerPage=2`, {
    headers: VENDORS.epages.headers,
    credentials: 'include',
  });
  window.localStorage.removeItem('epCredentials');
  // One app after the other: both use the SDK's default storage key.
  results.sdk = { backend: await backend(), storefront: await storefront() };
  return results;
}

function show(results) {
  document.getElementById('where').textContent = `Mock: ${results.mock}`;
  const rows = [];
  const add = (name, status, read) => rows.push([name, status, read]);
  for (const [name, answer] of Object.entries(results.lists)) {
    const remaining = answer.rateLimitRemaining ? `, X-RateLimit-Remaining ${answer.rateLimitRemaining}` : '';
    add(`${name} list`, answer.status ?? answer.error, `total ${answer.total}${remaining}`);
  }
  for (const [name, answer] of Object.entries(results.refusals)) {
    add(`${name} without credentials`, answer.status ?? answer.error, answer.text);
  }
  const credentialed = results.credentialed;
  add("epages, credentials: 'include'", credentialed.status ?? credentialed.error,
    `X-RateLimit-Remaining ${credentialed.rateLimitRemaining}`);
  const { backend: back, storefront: front } = results.sdk;
  add('SDK, client_credentials app', back.carts.ok ? 200 : 'refused',
    back.carts.ok ? `${back.carts.value.meta.results.total} carts` : JSON.stringify(back.carts.error));
  add('SDK, implicit token alone', front.alone.ok ? 200 : 'refused', JSON.stringify(front.alone.error));
  add(`SDK, shopper ${EMAIL}`, front.carts.ok ? 200 : 'refused',
    front.carts.ok ? front.carts.value.data.map((cart) => cart.id).join(', ') : JSON.stringify(front.carts.error));
  const body = document.getElementById('calls');
  for (const [name, status, read] of rows) {
    const row = body.insertRow();
    row.className = status === 200 ? '' : 'refused';
    for (const text of [name, status, read]) row.insertCell().textContent = String(text);
  }
}

run().then(
  (results) => {
    window.results = results;
    show(results);
    document.body.dataset.state = 'done';
  },
  (error) => {
    window.results = { crashed: String(error && error.stack ? error.stack : error) };
    document.body.dataset.state = 'crashed';
  },
);
