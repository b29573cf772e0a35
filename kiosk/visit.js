// The visitor's phone page (/kiosk/v.html?t=<visit token>): their own status, live.
// Follows /ws/visits/{token} when the server offers it, else polls every 5 s.

import { ApiError, request } from "./api.js";
import { agencyNames, formatDate, isRtl, pick, t } from "./i18n.js";
import { Live, wsUrl } from "/static/live.js";

const POLL_MS = 5000;
const POLL_WITH_LIVE_MS = 60000;
const OPEN = ["pending", "called", "in_service"];

const params = new URLSearchParams(location.search);
const token = params.get("t") ?? "";
const slug = params.get("c");
const root = document.getElementById("visit");
const conn = document.getElementById("conn");

let visit = null;
let today = null;
let lang = "de";
let failures = 0;
let lastSeq = 0;
let pollTimer = null;
let live = null;
let wasCalled = false;

const esc = (value) =>
  String(value ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );
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

async function load() {
  try {
    const { data } = await request("GET", `/api/v1/visits/${encodeURIComponent(token)}`);
    visit = data;
    failures = 0;
    conn.textContent = "";
    if (visit.language && visit.language !== lang) setLanguage(visit.language);
    render();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      stopAll();
      renderMissing();
      return;
    }
    failures += 1;
    if (failures >= 2) conn.textContent = L("vOffline");
  }
}

async function cancel() {
  if (!window.confirm(L("vCancelConfirm"))) return;
  try {
    const { data } = await request("POST", `/api/v1/visits/${encodeURIComponent(token)}/cancel`);
    visit = data;
    render();
  } catch {
    conn.textContent = L("vOffline");
  }
}

function schedulePoll() {
  clearTimeout(pollTimer);
  const every = live?.state === "open" ? POLL_WITH_LIVE_MS : POLL_MS;
  pollTimer = setTimeout(async () => {
    await load();
    if (visit && ["done", "cancelled"].includes(visit.status)) return stopAll();
    schedulePoll();
  }, every);
}

let refreshSoon = null;
function onMessage(message) {
  if (typeof message?.seq === "number") lastSeq = Math.max(lastSeq, message.seq);
  // The message says something changed; the status endpoint says what, in full.
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(load, 150);
}

function stopAll() {
  clearTimeout(pollTimer);
  live?.stop();
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
  await load();
  if (!visit) {
    schedulePoll();
    return undefined;
  }
  if (["done", "cancelled"].includes(visit.status)) return undefined;
  live = new Live({
    url: () =>
      wsUrl(`/ws/visits/${encodeURIComponent(token)}${lastSeq ? `?since=${lastSeq}` : ""}`),
    onMessage,
    onState: (state) => {
      if (state === "open") load();
      schedulePoll();
    },
    maxDelay: 60000,
  });
  live.start();
  schedulePoll();
  return undefined;
}

start();
