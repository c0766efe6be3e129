// The REST API, as every other client uses it.
//
// Where the token is kept, and why: in this tab's sessionStorage, and nowhere else.
// - It travels only in the Authorization header of requests to this origin: never in a
//   URL (so never in server logs, history or a Referer), never in a cookie, so the
//   browser never sends it by itself and there is no cross-site request to forge (CSRF).
// - It is forgotten when the user signs out and when the tab closes; another tab or
//   browser context signs in on its own (two organisations can work side by side).
// - A script that runs in this page could read it, so none but ours may run: the page's
//   Content-Security-Policy allows scripts from this origin only, and every text from the
//   API is put in the page as text (textContent), never parsed as HTML.

import { lang } from "./i18n.js";

const TOKEN = "htt.token";
const ME = "htt.me";

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  get me() {
    const stored = sessionStorage.getItem(ME);
    return stored ? JSON.parse(stored) : null;
  },
  signIn(token, me) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ME, JSON.stringify(me));
  },
  signOut() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(ME);
  },
};

/** An RFC 9457 problem the API answered with (or a network failure, status 0). */
export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  get title() {
    return this.body.title || "";
  }
  get errors() {
    return Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/**
 * Call the API. `etag` goes as If-Match, `ifNoneMatch` as If-None-Match (a 304 resolves
 * with no data); `token` overrides the session's (sign-in). A Blob body (a file) is sent as
 * it is, with `contentType`; anything else as JSON.
 * Resolves to {data, etag, status, location, response}; rejects with a Problem.
 */
export async function api(path, { method = "GET", body, etag, ifNoneMatch, token, as = "json", contentType } = {}) {
  const headers = { "Accept-Language": lang() };
  const bearer = token || session.token;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (etag) headers["If-Match"] = etag;
  if (ifNoneMatch) headers["If-None-Match"] = ifNoneMatch;
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? contentType : "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || raw ? body : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
  } catch {
    throw new Problem(0, { title: "", detail: "" });
  }
  if (response.status === 304) return { data: null, etag: response.headers.get("ETag"), status: 304, location: null, response };
  if (!response.ok) {
    let problem = { title: response.statusText, detail: "" };
    try {
      problem = await response.json();
    } catch {
      /* not a problem document: keep the status text */
    }
    if (response.status === 401 && !token) onUnauthorized();
    throw new Problem(response.status, problem);
  }
  let data = null;
  if (response.status !== 204) {
    if (as === "json") data = await response.json();
    else if (as === "text") data = await response.text();
    else if (as === "blob") data = await response.blob();
  }
  return {
    data,
    etag: response.headers.get("ETag"),
    status: response.status,
    location: response.headers.get("Location"),
    response,
  };
}

/** A query string of the given parameters, leaving out empty ones. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
