// The visitor's phone page: their own status, live. The ticket's QR code opens
// /visit/#t=<visit token>&c=<center> (the token in the fragment stays out of access
// logs); /visit/?t=…&c=… (older tickets, and /kiosk/v.html redirecting here) works too.
// Without a link, /visit/ asks for the short code printed under the QR code.
// Follows /ws/visits/{token}; polls every 5 s while the socket is not open, and once a
// minute while it is.

import { ApiError, request } from "/static/api.js";
import { esc } from "/static/html.js";
import { STRINGS, agencyNames, formatDate, formatTime, isRtl, pick, t, tn } from "/static/i18n.js";
import { LiveFeed } from "/static/live.js";

const POLL_MS = 5000;
const POLL_WITH_LIVE_MS = 60000;
const OPEN = ["pending", "called", "in_service"];
const ENDED = ["done", "cancelled"];

const SOON_MINUTES = 5;
const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
let token = fragment.get("t") ?? query.get("t") ?? "";
let slug = fragment.get("c") ?? query.get("c");
const root = document.getElementById("visit");
const conn = document.getElementById("conn");

let visit = null;
let today = null;
let lang = "de";
let feed = null;
let stopped = false;
let wasCalled = false;

const L = (key, vars) => t(lang, key, vars);

function needLabel(code) {
  const need = today?.needs?.find((n) => n.code === code);
  return pick(need?.label, lang) || code;
}

function agencyLabel(code) {
  return pick(agencyNames(today)[code], lang) || code;
}

/** A name as HTML: a German name in brackets at its end is marked German (lang="de"). */
function nameHtml(text) {
  const match = /^(.*\S)\s*\(([^()]*[A-Za-zÄÖÜäöüß][^()]*)\)$/.exec(text ?? "");
  if (!match || lang === "de") return esc(text);
  return `${esc(match[1])} <span lang="de" dir="ltr">(${esc(match[2])})</span>`;
}

/** The room in the visitor's language: its label, else the catalogue's word and number. */
function roomLabel(current) {
  const labels = current?.room_labels ?? {};
  if (labels[lang]) return labels[lang];
  const base = labels.de ?? current?.room ?? current?.desk ?? "";
  const number = /(\d[\w.\-/]*)\s*$/.exec(base);
  return number ? `${L("roomWord")} ${number[1]}` : base;
}

/** What the visitor may honestly expect while waiting. */
function waitLines() {
  const lines = [];
  const closed = visit.closed_agencies ?? [];
  const minutes = visit.estimated_wait_minutes;
  for (const agency of closed) {
    const name = `<bdi>${nameHtml(agencyLabel(agency))}</bdi>`;
    const opens = today?.opens;
    const before = opens && formatTime("en", new Date(), today?.center?.timezone) < opens;
    lines.push(
      before
        ? fillHtml("closedOpensAt", { agency: name, time: `<bdi dir="ltr">${esc(opens)}</bdi>` })
        : fillHtml("closedWillTell", { agency: name }),
    );
  }
  if (typeof minutes !== "number") {
    if (!closed.length) lines.unshift(esc(L("waitUnknown")));
  } else if (minutes <= SOON_MINUTES && !closed.length) {
    lines.unshift(esc(L("waitSoon")));
  } else if (Array.isArray(visit.estimated_wait_range)) {
    // The calibrated range (about 8 in 10 are called within it), not a single number.
    const [min, max] = visit.estimated_wait_range;
    lines.unshift(esc(tn(lang, "waitRange", max, { min, max })));
  } else {
    const min = Math.max(minutes, 1);
    lines.unshift(esc(tn(lang, "wait", min, { min })));
  }
  return lines; // HTML: each line escaped, names marked
}

/** A step on hold: why and until when, in the visitor's language; the desk's note as written. */
function heldHtml(step) {
  if (!step.held_reason || step.status !== "pending") return "";
  const lines = [esc(L(`held_${step.held_reason}`))];
  if (step.held_until) {
    const time = formatTime(lang, new Date(step.held_until), today?.center?.timezone);
    lines.push(fillHtml("heldUntil", { time: `<bdi dir="ltr">${esc(time)}</bdi>` }));
  }
  if (step.held_note) {
    lines.push(`${esc(L("heldNote"))} <bdi dir="auto">${esc(step.held_note)}</bdi>`);
  }
  return `<p class="held" data-testid="held">${lines.join("<br>")}</p>`;
}

/** A catalogue string as HTML with markup put in for its placeholders (already escaped). */
function fillHtml(key, html) {
  return esc(L(key)).replace(/\{(\w+)\}/g, (m, name) => (name in html ? html[name] : m));
}

function setLanguage(code) {
  lang = code;
  document.documentElement.lang = code;
  document.documentElement.dir = isRtl(code) ? "rtl" : "ltr";
  document.title = `${L("vTitle")} – Welcome-Center`;
}

function render() {
  if (!visit) return;
  const current = visit.current;
  let stateText = L("vWaiting");
  let stateClass = "";
  if (visit.status === "called" && current) {
    stateText = L("vCalled", { room: roomLabel(current) });
    stateClass = "called";
  } else if (visit.status === "in_service" && current) {
    stateText = L("vInService", { room: roomLabel(current) });
  } else if (visit.status === "done") {
    stateText = L("vDone");
  } else if (visit.status === "cancelled") {
    stateText = L("vCancelled");
  }
  const steps = visit.steps
    .map(
      (s) => `<li><strong>${esc(needLabel(s.need))}</strong> – ${nameHtml(agencyLabel(s.agency))}
        <span class="st st-${esc(s.status)}">(${esc(L(`st_${s.status}`))})</span>${heldHtml(s)}</li>`,
    )
    .join("");
  const unavailable = (visit.unavailable ?? [])
    .map((u) => {
      const when = u.next_date
        ? L("unavailableNext", { date: formatDate(lang, u.next_date) })
        : L("unavailableNone");
      return `<li>${esc(needLabel(u.need))} – ${esc(when)}</li>`;
    })
    .join("");
  const waiting = visit.status === "waiting";
  const active = visit.steps.some((s) => OPEN.includes(s.status));
  root.innerHTML = `
    <h1>${esc(L("vTitle"))}</h1>
    <p class="ticket" dir="ltr" data-script="code">${esc(visit.ticket)}</p>
    <p class="state ${stateClass}" role="status">${esc(stateText)}</p>
    ${waiting ? `<div class="wait" data-testid="wait">${waitLines().map((line) => `<p>${line}</p>`).join("")}</div>` : ""}
    ${visit.leave_by ? `<p class="muted">${esc(L("leaveBy", { time: visit.leave_by }))}</p>` : ""}
    <h2>${esc(L("yourSteps"))}</h2>
    <ol>${steps}</ol>
    ${unavailable ? `<h2>${esc(L("unavailableTitle"))}</h2><ul>${unavailable}</ul>` : ""}
    ${active ? `<button type="button" id="cancel">${esc(L("vCancel"))}</button>` : ""}
    <p class="muted">${esc(L("vUpdated", { time: formatTime(lang, new Date(), today?.center?.timezone) }))}</p>`;
  document.getElementById("cancel")?.addEventListener("click", cancel);
  const called = visit.status === "called";
  if (called && !wasCalled) navigator.vibrate?.([300, 150, 300, 150, 300]);
  wasCalled = called;
}

function renderMissing() {
  root.innerHTML = `<h1>${esc(L("vTitle"))}</h1><p class="state">${esc(L("vNotFound"))}</p>`;
}

/** The visit's full status over HTTP (the feed's poll); throws while offline. */
async function load() {
  try {
    const { data } = await request("GET", `/api/v1/visits/${encodeURIComponent(token)}`);
    visit = data;
  } catch (err) {
    if (err instanceof ApiError && (err.code === "unknown_visit" || (err.status === 404 && !err.code))) {
      stopAll(); // a wrong link, or the visit was purged: nothing will change
      renderMissing();
      return;
    }
    throw err;
  }
  if (!feed?.offline) conn.textContent = ""; // e.g. a failed cancel said so before
  if (visit.language && visit.language !== lang) setLanguage(visit.language);
  render();
  if (ENDED.includes(visit.status)) stopAll();
}

async function cancel() {
  if (!window.confirm(L("vCancelConfirm"))) return;
  try {
    const { data } = await request("POST", `/api/v1/visits/${encodeURIComponent(token)}/cancel`);
    visit = data;
    render();
    if (ENDED.includes(visit.status)) stopAll();
  } catch {
    conn.textContent = L("vOffline");
  }
}

function stopAll() {
  stopped = true;
  feed?.stop();
  conn.textContent = "";
}

/** No link: the short code from the ticket (e.g. A017-7KX4M) opens the visit. */
function renderCodeForm(message = "") {
  root.innerHTML = `
    <h1>${esc(L("vCodeTitle"))}</h1>
    <form id="code-form" class="code-form" novalidate>
      <p>${esc(L("vCodeHint"))}</p>
      <label for="code">${esc(L("vCodeLabel"))}</label>
      <input id="code" name="code" type="text" inputmode="text" autocomplete="off" autocapitalize="characters"
        spellcheck="false" maxlength="32" dir="ltr" required>
      <button type="submit" class="primary">${esc(L("vCodeOpen"))}</button>
      <p class="state" role="alert" ${message ? "" : "hidden"}>${esc(message)}</p>
    </form>`;
  document.getElementById("code-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = document.getElementById("code").value.trim();
    if (!code) return;
    try {
      const { data } = await request("POST", "/api/v1/visits/by-code", { body: { code } });
      token = data.token;
      slug = data.center;
      history.replaceState(null, "", `/visit/#${new URLSearchParams({ t: token, c: slug })}`);
      begin();
    } catch (err) {
      const tooMany = err instanceof ApiError && err.status === 429;
      renderCodeForm(L(tooMany ? "vCodeTooMany" : "vCodeWrong"));
    }
  });
}

async function start() {
  const guess = (navigator.language ?? "").slice(0, 2);
  setLanguage(token || !STRINGS[guess] ? "de" : guess); // the visit's language once known
  if (!token) return renderCodeForm();
  return begin();
}

async function begin() {
  if (slug) {
    request("GET", `/api/v1/centers/${encodeURIComponent(slug)}/today`)
      .then(({ data }) => {
        today = data;
        render();
      })
      .catch(() => {});
  }
  feed = new LiveFeed({
    path: `/ws/visits/${encodeURIComponent(token)}`,
    poll: load,
    // Each message says something changed; the status endpoint says what, in full.
    pollEvery: POLL_MS,
    pollEveryLive: POLL_WITH_LIVE_MS,
    refreshDelay: 150,
    offlineAfter: 2, // a phone between cells misses one answer now and then
    maxDelay: 60000,
    onOffline: (offline) => {
      conn.textContent = offline ? L("vOffline") : "";
    },
  });
  // The first answer decides: a finished or unknown visit needs no socket.
  try {
    await load();
  } catch {
    /* offline for now: the feed keeps trying */
  }
  if (!stopped) feed.start({ pollNow: false });
  return undefined;
}

start();
