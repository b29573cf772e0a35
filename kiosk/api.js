// The kiosk's calls to the public API (shared/API.md §3), with timeouts and retries.

export class ApiError extends Error {
  /** kind: "network" (no answer), "http" (an answer with a status). */
  constructor(kind, { status = 0, problem = null, message = "" } = {}) {
    super(message || problem?.detail || kind);
    this.kind = kind;
    this.status = status;
    this.problem = problem;
  }

  get retryable() {
    // No answer, the server is busy with the same key (409 in flight), or a server error.
    if (this.kind === "network") return true;
    const closed = this.problem?.next_date !== undefined || /consultation day/.test(this.message);
    if (this.status === 409 && !closed) return true;
    return this.status >= 500 || this.status === 429;
  }
}

export async function request(method, path, { token, body, headers = {}, timeout = 10000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const init = { method, headers: { Accept: "application/json", ...headers }, signal: controller.signal };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError("network", { message: String(err?.message ?? err) });
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  const text = await response.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    throw new ApiError("http", { status: response.status, problem: data, message: data?.detail });
  }
  return { status: response.status, data };
}

/** A random UUID, also where crypto.randomUUID is missing (plain http on a LAN). */
export function newKey() {
  if (globalThis.crypto?.randomUUID) {
    try {
      return crypto.randomUUID();
    } catch {
      /* not a secure context */
    }
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Check in with one Idempotency-Key for the whole attempt: a retry after a lost answer
 * returns the visit created before (200) instead of creating a second one.
 * `onRetry(attempt, error)` is told before each new try.
 */
export async function checkIn(slug, token, attempt, { onRetry = () => {}, tries = 5 } = {}) {
  let delay = 800;
  for (let n = 1; ; n += 1) {
    try {
      const { data } = await request("POST", `/api/v1/centers/${encodeURIComponent(slug)}/visits`, {
        token,
        body: attempt.body,
        headers: { "Idempotency-Key": attempt.key },
        timeout: 12000,
      });
      return data;
    } catch (err) {
      if (!(err instanceof ApiError) || !err.retryable || n >= tries) throw err;
      onRetry(n, err);
      await sleep(delay + Math.random() * 300);
      delay = Math.min(delay * 2, 8000);
    }
  }
}

export function today(slug) {
  return request("GET", `/api/v1/centers/${encodeURIComponent(slug)}/today`).then((r) => r.data);
}
