// The one HTTP client of the front ends (served at /static/api.js): JSON in and out,
// a timeout, and problems (RFC 9457, application/problem+json) as ApiError.
// Pages match a problem's machine-readable `code` (e.g. "day_closed"), never its
// English `detail`, which is for people and logs and may change wording.

export class ApiError extends Error {
  /**
   * kind: "network" (no answer: offline, timeout, connection reset) or
   * "http" (an answer with a status; `problem` is its body when it was JSON).
   */
  constructor(kind, { status = 0, problem = null, message = "" } = {}) {
    super(message || problem?.detail || problem?.title || (status ? `HTTP ${status}` : kind));
    this.name = "ApiError";
    this.kind = kind;
    this.status = status;
    this.problem = problem && typeof problem === "object" ? problem : null;
  }

  /** The machine-readable reason ("day_closed", "desk_busy", …), or "" without one. */
  get code() {
    return typeof this.problem?.code === "string" ? this.problem.code : "";
  }

  get title() {
    return this.problem?.title ?? "";
  }

  get detail() {
    return this.problem?.detail ?? "";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The staff session's CSRF token, from the readable cookie login sets (`__Host-wc_csrf`
 * on HTTPS, `wc_csrf` on plain HTTP), or "" without one.
 */
export function csrfToken() {
  if (typeof document === "undefined") return "";
  let found = "";
  for (const part of document.cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "__Host-wc_csrf") return decodeURIComponent(value.join("="));
    if (name === "wc_csrf") found = decodeURIComponent(value.join("="));
  }
  return found;
}

/**
 * One call to the API. Resolves to {status, data} for 2xx (data: parsed JSON or null),
 * rejects with ApiError otherwise.
 * token: a bearer token (device or staff session); without one, the browser's session
 * cookie signs the call in, and an unsafe method carries the session's CSRF token
 * (X-CSRF-Token, docs/api.md §7). body: sent as JSON. background: the page's own
 * polling, not the user's activity (it does not keep an idle staff session alive).
 * binary: a 2xx answer's body comes as an ArrayBuffer (the display's announce.wav);
 * problems are still read as JSON.
 */
export async function request(
  method,
  path,
  {
    token = null,
    body,
    headers = {},
    timeout = 10000,
    cache = "no-store",
    background = false,
    binary = false,
  } = {},
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const init = {
    method,
    headers: { Accept: "application/json, application/problem+json", ...headers },
    cache, // screens poll: an answer from the browser's cache would be a stale state
    signal: controller.signal,
  };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  else if (!SAFE_METHODS.has(method.toUpperCase()) && csrfToken()) {
    init.headers["X-CSRF-Token"] = csrfToken();
  }
  if (background) init.headers["X-Background"] = "1";
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  let text = "";
  try {
    response = await fetch(path, init);
    if (binary && response.ok) return { status: response.status, data: await response.arrayBuffer() };
    text = await response.text();
  } catch (err) {
    throw new ApiError("network", { message: String(err?.message ?? err) });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null; // a proxy's HTML error page: the status still says what happened
    }
  }
  if (!response.ok) throw new ApiError("http", { status: response.status, problem: data });
  return { status: response.status, data };
}
