// The staff desk screen: sign in, choose a desk, then the desk itself (docs/api.md §3,
// §5, §6): call / recall / start / finish / no-show, hold and release, refer on, joint
// consultations, case conference and shared note, the live queue with the reasons for
// its order. German first, English available (strings.js); keyboard shortcuts (keys.js).
// This module holds the session, the state and the actions; the other modules render.

import { ApiError, request } from "/static/api.js";
import { esc } from "/static/html.js";
import { LiveFeed } from "/static/live.js";
import { currentHtml, situation } from "./card.js";
import { finishForm, holdForm, joinForm, noteForm, referForm } from "./forms.js";
import { bannerHtml, incoming, outgoing, tone, unlockSound } from "./joint.js";
import { installKeys } from "./keys.js";
import { agencyName, roomName, setToday } from "./labels.js";
import { queueRows } from "./queue.js";
import { applyStatic, lang, setLang, t } from "./strings.js";

const QUEUE_POLL_MS = 5000;
const QUEUE_POLL_WITH_LIVE_MS = 30000;
// No token here: the session is the HttpOnly cookie sign-in sets, which no script can
// read (docs/api.md §7). The tab keeps only who signed in, the desk and the idle time.
const STORE = { user: "wc.staff.user", desk: "wc.staff.desk", center: "wc.staff.center", idle: "wc.staff.idle" };
const OLD_TOKEN = "wc.staff.token"; // where earlier versions kept the bearer token

// Labels of languages, statuses and problems (by the API's `code`) live in strings.js,
// in German and English: p_<code> for a problem.
// Problems that mean: this tab is no longer signed in.
const SIGNED_OUT = new Set(["not_authenticated", "session_expired"]);

const el = (id) => document.getElementById(id);

const store = {
  get: (key) => {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (key, value) => {
    try {
      if (value === null || value === undefined) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch {
      /* private mode: this tab still works */
    }
  },
};

store.set(OLD_TOKEN, null);

const state = {
  user: JSON.parse(store.get(STORE.user) ?? "null"), // signed in (the cookie decides)
  deskCode: store.get(STORE.desk),
  center: store.get(STORE.center) ?? new URLSearchParams(location.search).get("center"),
  today: null,
  desk: null,
  queue: [],
  card: null, // the visitor card of the desk's visitor (GET …/visits/{id})
  cardStale: false, // an event touched it: read it again with the next refresh
  joint: [], // joint requests this desk may answer or has made
  jointLoaded: false,
  busy: false,
  live: null,
  liveState: "closed",
};

// ---------------------------------------------------------------- api ----------------
// The page is signed in by the session cookie (HttpOnly: out of any script's reach);
// the kit's request() adds the session's CSRF token (the readable `wc_csrf` cookie) to
// every unsafe request, and the desk socket signs in by the same cookie. The server ends a session after
// `idle_timeout` seconds without activity; the page's own polling is sent as background
// and does not count, so the page checks once that time has passed after the last action.
let idleTimer = null;
function watchIdle() {
  clearTimeout(idleTimer);
  const seconds = Number(store.get(STORE.idle));
  if (!state.user || !seconds) return;
  idleTimer = setTimeout(
    () => api("GET", "/api/v1/auth/me", undefined, { background: true }).then(watchIdle, () => {}),
    seconds * 1000 + 2000,
  );
}

/** The kit's request with the staff session; a lapsed session signs out. */
async function api(method, path, body, { background = false } = {}) {
  try {
    const result = await requestRetrying(method, path, { body, background });
    if (!background) watchIdle();
    return result;
  } catch (err) {
    if (SIGNED_OUT.has(err.code) && path !== "/api/v1/auth/login") {
      signedOut(t(`p_${err.code}`));
    }
    throw err;
  }
}

const DB_RETRIES = 4;

/**
 * A 503 `database_unavailable` means nothing was written (docs/api.md §9): the same
 * action is sent again after the server's Retry-After, a calm note on the screen
 * meanwhile, up to DB_RETRIES times; then the problem is shown as usual.
 */
async function requestRetrying(method, path, options) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await request(method, path, options);
      if (attempt > 1) flash("");
      document.body.dataset.retrying = "false";
      return result;
    } catch (err) {
      const again = err instanceof ApiError && err.code === "database_unavailable";
      if (!again || attempt > DB_RETRIES) {
        document.body.dataset.retrying = "false";
        throw err;
      }
      const seconds = Math.min(Number(err.problem?.retry_after) || 2, 10);
      document.body.dataset.retrying = "true";
      if (!options.background) flash(t("p_retrying", { seconds }), "info");
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

/** A problem as staff read it, in the screen's language by its code (never the English detail). */
function problemText(err) {
  if (!(err instanceof ApiError)) return t("p_other", { code: String(err?.name ?? "error") });
  if (err.kind === "network") return t("p_network");
  const fields = (err.problem?.errors ?? []).map((e) => e?.field);
  if (err.code === "invalid" && fields.includes("until")) return t("p_invalid_until");
  const key = `p_${err.code}`;
  const text = t(key);
  return text === key ? t("p_other", { code: err.code || err.status }) : text;
}

// ---------------------------------------------------------------- views --------------
function show(view) {
  for (const id of ["login-view", "desks-view", "desk-view"]) el(id).hidden = id !== view;
  el("logout").hidden = view === "login-view";
  el("switch-desk").hidden = view !== "desk-view";
  el("who").textContent = whoText();
}

const whoText = () =>
  state.user ? `${state.user.username}${state.user.agency ? ` · ${agencyName(state.user.agency)}` : ""}` : "";

let flashTimer = null;
function flash(message, kind = "info") {
  const box = el("flash");
  box.textContent = message;
  box.dataset.kind = kind;
  clearTimeout(flashTimer);
  if (message) flashTimer = setTimeout(() => (box.textContent = ""), 8000);
}

// ---------------------------------------------------------------- sign in ------------
async function login(event) {
  event.preventDefault();
  el("login-error").textContent = "";
  const username = el("username").value.trim();
  const password = el("password").value;
  try {
    // The answer sets the session and CSRF cookies; its access_token is for scripts
    // and stays unused here.
    const { data } = await api("POST", "/api/v1/auth/login", { username, password });
    state.user = data.user;
    store.set(STORE.idle, data.idle_timeout);
    store.set(STORE.user, JSON.stringify(state.user));
    el("password").value = "";
    await chooseDesk();
  } catch (err) {
    el("login-error").textContent = ["not_authenticated", "invalid"].includes(err.code)
      ? t("wrongPassword")
      : err.code === "too_many_requests"
        ? t("tooManyTries")
        : problemText(err);
  }
}

function signedOut(message) {
  stopDesk();
  clearTimeout(idleTimer);
  state.user = null;
  state.desk = null;
  store.set(STORE.user, null);
  show("login-view");
  if (message) el("login-error").textContent = message;
  el("username").focus();
}

async function logout() {
  try {
    await api("POST", "/api/v1/auth/logout");
  } catch {
    /* signed out here all the same */
  }
  store.set(STORE.desk, null);
  state.deskCode = null;
  signedOut("");
}

// ---------------------------------------------------------------- desk choice --------
async function chooseDesk() {
  stopDesk();
  show("desks-view");
  el("desk-error").textContent = "";
  const list = el("desk-list");
  list.innerHTML = "";
  try {
    const { data } = await api("GET", "/api/v1/me/desks");
    state.center = data.center?.slug ?? state.center;
    store.set(STORE.center, state.center);
    el("center-name").textContent = data.center?.name ?? t("center");
    await loadToday();
    list.innerHTML = data.desks
      .map(
        (d) => `<li><button type="button" class="btn desk" data-desk="${esc(d.code)}">
          <strong>${esc(roomName(d.room_labels, d.room))}</strong> <span class="muted">${esc(d.code)} · ${esc(agencyName(d.agency))} · ${esc(t(`ds_${d.state}`))}</span></button></li>`,
      )
      .join("");
    list.querySelectorAll("[data-desk]").forEach((b) =>
      b.addEventListener("click", () => openDesk(b.dataset.desk)),
    );
    if (data.desks.length === 0) list.innerHTML = `<li>${esc(t("noDesks"))}</li>`;
  } catch (err) {
    if (err.status !== 404) el("desk-error").textContent = problemText(err);
    // Without the list endpoint, the code field below still works.
  }
  (list.querySelector("button") ?? el("desk-code")).focus();
}

async function loadToday() {
  if (!state.center) return;
  try {
    const { data } = await api("GET", `/api/v1/centers/${encodeURIComponent(state.center)}/today`);
    state.today = data;
    setToday(data);
    el("center-name").textContent = data.center?.name ?? t("center");
  } catch {
    // closed today, or offline: codes are shown instead of labels
  }
}

async function openDesk(code) {
  el("desk-error").textContent = "";
  try {
    const { data } = await api("GET", `/api/v1/desks/${encodeURIComponent(code)}`);
    state.deskCode = code;
    state.desk = data;
    store.set(STORE.desk, code);
    state.card = null;
    state.joint = [];
    state.jointLoaded = false;
    await loadToday();
    show("desk-view");
    renderDesk();
    const loaded = await Promise.allSettled([
      loadQueue(),
      loadJoint(),
      data.current ? loadCard(data.current.id) : null,
    ]);
    const failed = loaded.find((r) => r.status === "rejected");
    if (failed) flash(problemText(failed.reason), "error");
    renderAll();
    startLive();
    el("desk-title").focus();
  } catch (err) {
    if (SIGNED_OUT.has(err.code)) return;
    el("desk-error").textContent =
      err.code === "unknown_desk"
        ? t("unknownDesk", { code })
        : err.code === "forbidden"
          ? t("otherAgencyDesk", { code })
          : problemText(err);
  }
}

// ---------------------------------------------------------------- desk screen --------
const deskPath = (suffix = "") => `/api/v1/desks/${encodeURIComponent(state.deskCode)}${suffix}`;

function renderDesk() {
  const desk = state.desk;
  if (!desk) return;
  el("desk-title").textContent = `${roomName(desk.room_labels, desk.room)} (${desk.code})`;
  el("desk-title").setAttribute("tabindex", "-1");
  const badge = el("desk-state");
  badge.textContent = t(`ds_${desk.state}`);
  badge.dataset.state = desk.state;
  const sit = situation(desk, state.deskCode);
  const card = state.card && state.card.id === sit.visit?.id ? state.card : null;
  const next = state.queue.find((e) => e.callable !== false) ?? null;
  el("current").innerHTML = currentHtml(desk, card, state.deskCode, next);
  const held = state.queue.some((e) => !e.callable || e.held);
  const can = {
    "call-next": !sit.visit,
    recall: sit.called,
    start: sit.called,
    finish: sit.called || sit.serving,
    "no-show": sit.called,
    hold: Boolean(sit.visit) && !sit.guest && sit.jointWith.length === 0 && !hasOutgoing(),
    refer: Boolean(sit.visit),
    join: sit.serving && !sit.guest,
    leave: sit.guest,
    conference: Boolean(sit.visit),
    note: Boolean(sit.visit) && Boolean(sit.visit.consent_share),
    release: held,
  };
  for (const [action, on] of Object.entries(can)) {
    const button = document.querySelector(`[data-action="${action}"]`);
    if (button) button.disabled = state.busy || !on;
  }
  el("desk-view")
    .querySelector('[data-action="conference"]')
    .setAttribute("aria-pressed", String(Boolean(card?.case_conference)));
  for (const button of document.querySelectorAll("[data-state]")) {
    const target = { open: "open", pause: "paused", close: "closed" }[button.dataset.state];
    button.disabled = state.busy || desk.state === target;
  }
}

function renderQueue() {
  const callable = state.queue.filter((e) => e.callable !== false).length;
  const held = state.queue.length - callable;
  el("queue-count").textContent = held ? `(${t("queueHeld", { n: callable, held })})` : `(${callable})`;
  el("queue").innerHTML = queueRows(state.queue, state.desk);
}

const hasOutgoing = () => (state.desk ? outgoing(state.joint, state.desk).length > 0 : false);

function renderBanner() {
  const banner = el("joint-banner");
  const html = state.desk ? bannerHtml(state.joint, state.desk) : "";
  banner.innerHTML = html;
  banner.hidden = !html;
}

function renderAll() {
  renderDesk();
  renderQueue();
  renderBanner();
}

async function loadDesk(options) {
  if (!state.deskCode) return;
  const { data } = await api("GET", deskPath(), undefined, options);
  state.desk = data;
  const id = data.current?.id ?? null;
  if (!id) state.card = null;
  else if (state.card?.id !== id || state.cardStale) await loadCard(id, options);
  renderDesk();
}

/** The visitor card of the desk's visitor (audited server-side: read when it changes). */
async function loadCard(id, options) {
  state.cardStale = false;
  try {
    const { data } = await api("GET", deskPath(`/visits/${encodeURIComponent(id)}`), undefined, options);
    if (state.desk?.current?.id === id) state.card = data;
  } catch (err) {
    if (!(err instanceof ApiError) || err.kind === "network") state.cardStale = true;
    state.card = null; // the desk status's visit is shown instead
  }
}

async function loadQueue(options) {
  if (!state.deskCode) return;
  const { data } = await api("GET", deskPath("/queue"), undefined, options);
  state.queue = data;
  renderQueue();
  renderDesk(); // "release" follows the held entries
}

async function loadJoint(options) {
  if (!state.deskCode) return;
  const { data } = await api("GET", deskPath("/joint"), undefined, options);
  const before = new Set(incoming(state.joint, state.desk ?? {}).map((r) => r.id));
  state.joint = data;
  renderBanner();
  renderDesk();
  const fresh = state.desk ? incoming(data, state.desk).filter((r) => !before.has(r.id)) : [];
  if (fresh.length && state.jointLoaded) tone();
  state.jointLoaded = true;
}

/** Desk, queue and joint requests over HTTP; a problem other than no answer is said in the flash line. */
async function loadAll(options) {
  const results = await Promise.allSettled([loadDesk(options), loadQueue(options), loadJoint(options)]);
  const failed = results.find((r) => r.status === "rejected")?.reason;
  if (!failed) return;
  const said = failed instanceof ApiError && (failed.kind === "network" || SIGNED_OUT.has(failed.code));
  if (!said) flash(problemText(failed), "error");
  throw failed; // the live feed counts it (offline after it finds no answer)
}

/** Refresh now, for the page's own actions: problems are flashed, never thrown. */
const refreshAll = () => loadAll().catch(() => {});

async function run(send) {
  if (state.busy) return;
  state.busy = true;
  document.body.dataset.busy = "true"; // until the screen shows the result (tests wait for it)
  renderDesk();
  try {
    const result = await send();
    return result;
  } catch (err) {
    if (!SIGNED_OUT.has(err.code)) flash(problemText(err), "error");
    return null;
  } finally {
    state.busy = false;
    await refreshAll();
    document.body.dataset.busy = "false";
  }
}

const RESULT = {
  "call-next": "called",
  recall: "recalled",
  start: "started",
  "no-show": "noShow",
  leave: "left",
};

async function deskAction(action) {
  const sit = situation(state.desk, state.deskCode);
  const button = document.querySelector(`[data-action="${action}"]`);
  if (button?.disabled || state.busy) return undefined;
  switch (action) {
    case "finish":
      return finishVisit(sit);
    case "hold":
      return holdVisit(sit);
    case "refer":
      return referVisit(sit);
    case "join":
      return askJoin(sit);
    case "conference":
      return toggleConference(sit);
    case "note":
      return editNote(sit);
    case "release":
      return focusRelease();
    default:
      break;
  }
  const result = await run(() => api("POST", deskPath(`/${action}`)));
  if (!result) return undefined;
  if (action === "call-next" && result.status === 204) flash(t("nobodyWaiting"));
  else if (RESULT[action]) flash(t(RESULT[action], { ticket: result.data?.ticket ?? "" }));
  return undefined;
}

async function setDeskState(which) {
  if (document.querySelector(`[data-state="${which}"]`)?.disabled) return;
  const result = await run(() => api("POST", deskPath(`/${which}`)));
  if (result) flash(t("deskNow", { state: t(`ds_${result.data.state}`) }));
}

async function finishVisit(sit) {
  if (!sit.visit) return;
  const body = await finishForm(sit.visit, sit.here);
  if (!body) return;
  const result = await run(() => api("POST", deskPath("/finish"), body));
  if (result) flash(t("finished", { ticket: result.data.ticket }));
}

async function holdVisit(sit) {
  if (!sit.visit) return;
  const body = await holdForm(sit.visit);
  if (!body) return;
  const result = await run(() => api("POST", deskPath("/hold"), body));
  if (result) flash(t("held", { ticket: result.data.ticket }));
}

async function referVisit(sit) {
  if (!sit.visit) return;
  const body = await referForm(sit.visit);
  if (!body) return;
  state.cardStale = true;
  const result = await run(() => api("POST", deskPath("/refer"), body));
  if (result) flash(t("referred", { ticket: result.data.ticket }));
}

async function askJoin(sit) {
  if (!sit.visit) return;
  const body = await joinForm(sit.visit, state.desk.agency);
  if (!body) return;
  const result = await run(() => api("POST", deskPath("/joint"), body));
  if (result) flash(t("asked", { agency: agencyName(body.agency) }));
}

async function toggleConference(sit) {
  if (!sit.visit) return;
  const on = !(state.card?.id === sit.visit.id && state.card.case_conference);
  state.cardStale = true;
  const path = deskPath(`/visits/${encodeURIComponent(sit.visit.id)}/case-conference`);
  const result = await run(() => api("POST", path, { on }));
  if (result) flash(t(on ? "conferenceSet" : "conferenceUnset", { ticket: result.data.ticket }));
}

async function editNote(sit) {
  if (!sit.visit) return;
  const current = state.card?.id === sit.visit.id ? state.card.shared_note : null;
  const body = await noteForm(sit.visit, current);
  if (!body) return;
  state.cardStale = true;
  const path = deskPath(`/visits/${encodeURIComponent(sit.visit.id)}/shared-note`);
  const result = await run(() => api("PUT", path, body));
  if (result) flash(t("noteSaved"));
}

/** E: to the first held visitor's release button (Tab to another, Enter releases). */
function focusRelease() {
  el("queue").querySelector("[data-release]")?.focus();
}

async function release(visitId, ticket) {
  const result = await run(() => api("POST", deskPath("/release"), { visit_id: visitId }));
  if (result) flash(t("released", { ticket: result.data?.ticket ?? ticket }));
}

async function answerJoint(kind, id) {
  if (id === undefined || id === null) return;
  if (kind === "accept") state.cardStale = true;
  const result = await run(() => api("POST", deskPath(`/joint/${encodeURIComponent(id)}/${kind}`)));
  if (!result) return;
  if (kind === "accept") {
    const visit = result.data;
    const room = roomName(visit.current?.room_labels, visit.current?.room);
    flash(t("jointJoined", { ticket: visit.ticket, agency: agencyName(visit.current?.agency), room }));
  } else flash(t(kind === "decline" ? "declined" : "withdrawn"));
}

const firstIncoming = () => (state.desk ? incoming(state.joint, state.desk)[0]?.id : undefined);
const firstOutgoing = () => (state.desk ? outgoing(state.joint, state.desk)[0]?.id : undefined);

// ---------------------------------------------------------------- live ---------------
/** What other desks did, said where it concerns this desk; every event also refreshes. */
function onDeskEvent(message) {
  const data = message.data ?? {};
  const desk = state.desk;
  const request = data.request;
  if (request && desk) {
    const name = agencyName(request.agency);
    const ticket = data.visit?.ticket ?? "";
    if (message.type === "joint.requested" && request.agency === desk.agency && request.host_desk !== desk.code) {
      if (!request.desk || request.desk === desk.code) tone();
    } else if (request.host_desk === desk.code) {
      const key = {
        "joint.accepted": "jointAccepted",
        "joint.declined": "jointDeclined",
        "joint.lapsed": "jointLapsed",
        "joint.left": "jointLeft",
      }[message.type];
      if (key) flash(t(key, { agency: name, ticket }), key === "jointAccepted" ? "info" : "error");
    }
    state.cardStale = true;
  }
  if (message.type === "visit.referred" && desk && data.desk !== desk.code) {
    const here = (data.added ?? []).some((a) => a?.agency === desk.agency);
    if (here) {
      tone();
      flash(t("referredHere", { ticket: data.visit?.ticket ?? "", agency: agencyName(data.agency) }));
    }
  }
  if (data.visit?.id && data.visit.id === state.desk?.current?.id) state.cardStale = true;
  state.live?.refresh();
}

function showLive() {
  const label = el("live-state");
  const feed = state.live;
  const offline = feed?.offline ?? false;
  const open = feed?.state === "open";
  label.textContent = t(open ? "liveOpen" : offline ? "liveOffline" : "livePolling");
  label.dataset.state = open ? "open" : offline ? "offline" : "polling";
}

function startLive() {
  stopDesk();
  state.live = new LiveFeed({
    path: `/ws/desks/${encodeURIComponent(state.deskCode)}`,
    // No token: the handshake carries the session cookie (from this page's Origin).
    // Every message (snapshot or event) means: read desk and queue again, in 200 ms.
    poll: async () => {
      // Background: polls and live events are not this clerk's activity. An action in
      // flight refreshes by itself after.
      if (!state.busy) await loadAll({ background: true });
    },
    pollEvery: QUEUE_POLL_MS,
    pollEveryLive: QUEUE_POLL_WITH_LIVE_MS,
    refreshDelay: 200,
    onEvent: onDeskEvent,
    onState: (s) => {
      state.liveState = s;
      showLive();
    },
    onOffline: showLive,
  });
  // openDesk has just loaded desk and queue.
  state.live.start({ pollNow: false });
}

function stopDesk() {
  state.live?.stop();
  state.live = null;
  state.liveState = "closed";
}

// ---------------------------------------------------------------- start --------------
el("login-form").addEventListener("submit", login);
el("logout").addEventListener("click", logout);
el("switch-desk").addEventListener("click", () => {
  store.set(STORE.desk, null);
  state.deskCode = null;
  chooseDesk();
});
el("desk-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const code = el("desk-code").value.trim();
  if (code) openDesk(code);
});
document.querySelectorAll("[data-action]").forEach((b) =>
  b.addEventListener("click", () => deskAction(b.dataset.action)),
);
document.querySelectorAll("[data-state]").forEach((b) =>
  b.addEventListener("click", () => setDeskState(b.dataset.state)),
);
el("joint-banner").addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.jointAccept) answerJoint("accept", button.dataset.jointAccept);
  else if (button.dataset.jointDecline) answerJoint("decline", button.dataset.jointDecline);
  else if (button.dataset.jointWithdraw) answerJoint("withdraw", button.dataset.jointWithdraw);
});
el("queue").addEventListener("click", (event) => {
  const button = event.target.closest("[data-release]");
  if (button) release(button.dataset.release, button.dataset.ticket);
});

// The screen's language: German first, English on request, remembered on this PC.
function showLanguage() {
  applyStatic();
  for (const b of document.querySelectorAll("[data-lang]")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang()));
  }
  if (!el("logout").hidden) el("who").textContent = whoText();
  if (state.desk && !el("desk-view").hidden) {
    renderAll();
    showLive();
  }
}
document.querySelectorAll("[data-lang]").forEach((b) =>
  b.addEventListener("click", () => {
    setLang(b.dataset.lang);
    showLanguage();
    if (!el("desks-view").hidden) chooseDesk();
  }),
);
showLanguage();

// Sound needs a user's gesture first: any click or key at the desk allows it.
document.addEventListener("pointerdown", unlockSound, { once: true });
document.addEventListener("keydown", unlockSound, { once: true });

installKeys(
  {
    n: () => deskAction("call-next"),
    w: () => deskAction("recall"),
    s: () => deskAction("start"),
    f: () => deskAction("finish"),
    x: () => deskAction("no-show"),
    h: () => deskAction("hold"),
    r: () => deskAction("refer"),
    j: () => deskAction("join"),
    l: () => deskAction("leave"),
    k: () => deskAction("conference"),
    g: () => deskAction("note"),
    e: () => deskAction("release"),
    a: () => answerJoint("accept", firstIncoming()),
    d: () => answerJoint("decline", firstIncoming()),
    z: () => answerJoint("withdraw", firstOutgoing()),
    o: () => setDeskState("open"),
    p: () => setDeskState("pause"),
    c: () => setDeskState("close"),
  },
  () => !el("desk-view").hidden && Boolean(state.desk),
);

/** Whether the cookie still signs this browser in (a reload, a second tab). */
async function resume() {
  try {
    const { data } = await request("GET", "/api/v1/auth/me", { background: true });
    if (data.role === "kiosk" || data.role === "display") return false; // staff pages only
    state.user = { username: data.name, role: data.role, agency: data.agency };
    store.set(STORE.user, JSON.stringify(state.user));
    return true;
  } catch (err) {
    // Offline for a moment: a tab that was signed in carries on and finds out later.
    return err instanceof ApiError && err.kind === "network" && Boolean(state.user);
  }
}

resume().then((signedIn) => {
  if (!signedIn) {
    state.user = null;
    store.set(STORE.user, null);
    show("login-view");
    el("username").focus();
  } else if (state.deskCode) {
    openDesk(state.deskCode).then(() => {
      if (!state.desk && state.user) chooseDesk();
    });
  } else {
    chooseDesk();
  }
});
