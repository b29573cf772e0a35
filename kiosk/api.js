// The kiosk's calls to the public API (shared/API.md §3): check-in with one
// Idempotency-Key per attempt and retries, and the day's offer. HTTP itself and
// problem+json are the kit's (/static/api.js).

import { ApiError, request } from "/static/api.js";

export { ApiError };

/** The problem says the center is closed today (404 on GET today, 409 on check-in). */
export function isDayClosed(err) {
  return err instanceof ApiError && err.code === "day_closed";
}

/**
 * Worth sending the same check-in again: no answer, the server busy or failing, or a
 * conflict that is not a closed day (e.g. the same key still in flight).
 */
export function isRetryable(err) {
  if (!(err instanceof ApiError)) return false;
  if (err.kind === "network") return true;
  if (err.status === 409) return !isDayClosed(err);
  return err.status >= 500 || err.status === 429;
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

/** Milliseconds the server asked us to wait (its `retry_after`), at most 20 s; else 0. */
export function serverWait(err) {
  const seconds = Number(err?.problem?.retry_after);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 20) * 1000 : 0;
}

/**
 * An invitation letter's code: today's invitation's language and needs, to fill in (the
 * invitee confirms). 422 `unknown_invitation` for a code this center does not know today.
 */
export async function lookupInvitation(slug, token, code) {
  const path = `/api/v1/centers/${encodeURIComponent(slug)}/invitations/${encodeURIComponent(code)}`;
  const { data } = await request("GET", path, { token, timeout: 8000 });
  return data;
}

/** The code names no invitation of today here (or one used already). */
export function isUnknownInvitation(err) {
  return err instanceof ApiError && (err.code === "unknown_invitation" || err.code === "invitation_used");
}

/** Too many check-ins from this kiosk in a minute (429 `kiosk_limit`): a calm wait. */
export function isKioskBusy(err) {
  return err instanceof ApiError && err.code === "kiosk_limit";
}

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
      if (!isRetryable(err) || n >= tries) throw err;
      onRetry(n, err);
      // 429 (this kiosk's check-ins per minute) and 503 (the database away for a moment)
      // say how long to wait (Retry-After, also `retry_after` in the problem); never a
      // new key: a repeat of this one cannot make a second visit.
      await sleep(Math.max(delay, serverWait(err)) + Math.random() * 300);
      delay = Math.min(delay * 2, 8000);
    }
  }
}

export function today(slug) {
  return request("GET", `/api/v1/centers/${encodeURIComponent(slug)}/today`).then((r) => r.data);
}

/** The visit's phone link from the server: {url, code, code_url, qr_svg} (token in the body). */
export function phoneLink(token) {
  return request("POST", "/api/v1/visits/phone-link", { body: { token } }).then((r) => r.data);
}
