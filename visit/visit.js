// The visitor's phone page (/visit/?t=<visit token>&c=<center>; the ticket's QR code):
// their own status, live. Follows /ws/visits/{token}; polls every 5 s while the socket
// is not open, and once a minute while it is. The former address /kiosk/v.html redirects here.

import { ApiError, request } from "/static/api.js";
import { esc } from "/static/html.js";
import { agencyNames, formatDate, isRtl, pick, t } from "/static/i18n.js";
import { LiveFeed } from "/static/live.js";

const POLL_MS = 5000;
const POLL_WITH_LIVE_MS = 60000;
const OPEN = ["pending", "called", "in_service"];
const ENDED = ["done", "cancelled"];

const params = new URLSearchParams(location.search);
const token = params.get("t") ?? "";
const slug = params.get("c");
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

function roomLabel(current) {
  return pick(current?.room_labels, lang) || current?.room || current?.desk || "";
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
      (s) => `<li><strong>${esc(needLabel(s.need))}</strong> – ${esc(agencyLabel(s.agency))}
        <span class="st st-${esc(s.status)}">(${esc(L(`st_${s.status}`))})</span></li>`,
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
  const minutes = visit.estimated_wait_minutes;
  const active = visit.steps.some((s) => OPEN.includes(s.status));
  root.innerHTML = `
    <h1>${esc(L("vTitle"))}</h1>
    <p class="ticket" dir="ltr">${esc(visit.ticket)}</p>
    <p class="state ${stateClass}" role="status">${esc(stateText)}</p>
    ${waiting && minutes > 0 ? `<p>${esc(L("wait", { min: minutes }))}</p>` : ""}
    ${visit.leave_by ? `<p class="muted">${esc(L("leaveBy", { time: visit.leave_by }))}</p>` : ""}
    <h2>${esc(L("yourSteps"))}</h2>
    <ol>${steps}</ol>
    ${unavailable ? `<h2>${esc(L("unavailableTitle"))}</h2><ul>${unavailable}</ul>` : ""}
    ${active ? `<button type="button" id="cancel">${esc(L("vCancel"))}</button>` : ""}
    <p class="muted">${esc(L("vUpdated", { time: new Date().toLocaleTimeString(`${lang}-u-nu-latn`, { hour: "2-digit", minute: "2-digit" }) }))}</p>`;
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

async function start() {
  setLanguage("de");
  if (!token) return renderMissing();
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
