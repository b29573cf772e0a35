// The staff desk screen: sign in, choose a desk, call / recall / start / finish /
// no-show, and the live queue. Public API only (shared/API.md §3, §4).

import { ApiError, request } from "/static/api.js";
import { esc, readable } from "/static/html.js";
import { LiveFeed } from "/static/live.js";

const QUEUE_POLL_MS = 5000;
const QUEUE_POLL_WITH_LIVE_MS = 30000;
const STORE = { token: "wc.staff.token", user: "wc.staff.user", desk: "wc.staff.desk", center: "wc.staff.center", idle: "wc.staff.idle" };

const LANGUAGES = {
  de: "Deutsch",
  en: "Englisch",
  ar: "Arabisch",
  uk: "Ukrainisch",
  ru: "Russisch",
  tr: "Türkisch",
  fa: "Farsi/Dari",
  ro: "Rumänisch",
  pl: "Polnisch",
  ku: "Kurdisch",
  ti: "Tigrinya",
};
// German labels of residence statuses, keyed by the code the API sends (today's
// `residence_statuses` lists them); a code without a label here is shown readable.
const RESIDENCE = {
  recognised: "anerkannter Flüchtling",
  subsidiary: "subsidiärer Schutz",
  humanitarian: "humanitärer Aufenthalt",
  asylum_pending: "Aufenthaltsgestattung",
  tolerated: "Duldung",
  opportunity: "Chancen-Aufenthaltsrecht",
  skilled_worker: "Beschäftigung / Fachkraft",
  student: "Studium / Ausbildung",
  family: "Familiennachzug",
  eu: "EU-Freizügigkeit",
  settled: "Niederlassungserlaubnis",
  other: "anderer Status",
};
const STEP_STATUS = {
  pending: "wartet",
  called: "aufgerufen",
  in_service: "in Beratung",
  done: "erledigt",
  referred: "weitergeleitet",
  no_show: "nicht erschienen",
  cancelled: "abgebrochen",
};
const DESK_STATE = { open: "geöffnet", paused: "Pause", closed: "geschlossen" };

// What a problem's code means at a desk, in German; the English detail is the fallback.
const PROBLEMS = {
  desk_busy: "Am Schalter ist noch ein Besuch: erst abschließen oder „nicht erschienen“.",
  no_visitor: "Am Schalter ist niemand aufgerufen.",
  day_closed: "Heute ist kein Beratungstag.",
  visit_ended: "Dieser Besuch ist bereits beendet.",
  too_many_requests: "Zu viele Anfragen. Bitte warten Sie einen Moment.",
  session_expired: "Ihre Sitzung ist abgelaufen (zu lange inaktiv oder zu lange angemeldet). Bitte melden Sie sich neu an.",
  csrf_failed: "Die Anfrage wurde aus Sicherheitsgründen abgelehnt. Bitte laden Sie die Seite neu.",
};
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

const state = {
  token: store.get(STORE.token),
  user: JSON.parse(store.get(STORE.user) ?? "null"),
  deskCode: store.get(STORE.desk),
  center: store.get(STORE.center) ?? new URLSearchParams(location.search).get("center"),
  today: null,
  desk: null,
  queue: [],
  busy: false,
  live: null,
  liveState: "closed",
};

// ---------------------------------------------------------------- api ----------------
// The page signs in with its bearer token (sessionStorage, per tab; the desk socket
// needs it too), so CSRF does not apply to it. The server ends a session after
// `idle_timeout` seconds without activity; the page's own polling is sent as background
// and does not count, so the page checks once that time has passed after the last action.
let idleTimer = null;
function watchIdle() {
  clearTimeout(idleTimer);
  const seconds = Number(store.get(STORE.idle));
  if (!state.token || !seconds) return;
  idleTimer = setTimeout(
    () => api("GET", "/api/v1/auth/me", undefined, { background: true }).then(watchIdle, () => {}),
    seconds * 1000 + 2000,
  );
}

/** The kit's request with the staff session; a lapsed session signs out. */
async function api(method, path, body, { background = false } = {}) {
  try {
    const result = await request(method, path, { token: state.token, body, background });
    if (!background) watchIdle();
    return result;
  } catch (err) {
    if (SIGNED_OUT.has(err.code) && path !== "/api/v1/auth/login") {
      signedOut(PROBLEMS[err.code] ?? "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich neu an.");
    }
    throw err;
  }
}

/** A problem as staff read it: German by its code, else the server's detail. */
function problemText(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  if (err.kind === "network") return "Keine Verbindung zum Server.";
  return PROBLEMS[err.code] ?? err.message;
}

// ---------------------------------------------------------------- views --------------
function show(view) {
  for (const id of ["login-view", "desks-view", "desk-view"]) el(id).hidden = id !== view;
  el("logout").hidden = view === "login-view";
  el("switch-desk").hidden = view !== "desk-view";
  el("who").textContent = state.user
    ? `${state.user.username}${state.user.agency ? ` · ${state.user.agency}` : ""}`
    : "";
}

let flashTimer = null;
function flash(message, kind = "info") {
  const box = el("flash");
  box.textContent = message;
  box.dataset.kind = kind;
  clearTimeout(flashTimer);
  if (message) flashTimer = setTimeout(() => (box.textContent = ""), 8000);
}

const needLabel = (code) => {
  const need = state.today?.needs?.find((n) => n.code === code);
  return need?.label?.de ?? need?.label?.en ?? code;
};
const agencyLabel = (code) => {
  const names = { ...(state.today?.agency_names ?? {}) };
  for (const a of state.today?.agencies ?? []) if (a && typeof a === "object") names[a.code] = a.name;
  return names[code]?.de ?? names[code]?.en ?? code;
};
const languageLabel = (code) => LANGUAGES[code] ?? code;
const residenceLabel = (code) => RESIDENCE[code] ?? readable(code);
const clock = (iso) =>
  iso ? new Date(iso).toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" }) : "";
const minutesSince = (iso) => (iso ? Math.max(0, Math.round((Date.now() - new Date(iso)) / 60000)) : 0);

// ---------------------------------------------------------------- sign in ------------
async function login(event) {
  event.preventDefault();
  el("login-error").textContent = "";
  const username = el("username").value.trim();
  const password = el("password").value;
  try {
    const { data } = await api("POST", "/api/v1/auth/login", { username, password });
    state.token = data.access_token;
    state.user = data.user;
    store.set(STORE.idle, data.idle_timeout);
    store.set(STORE.token, state.token);
    store.set(STORE.user, JSON.stringify(state.user));
    el("password").value = "";
    await chooseDesk();
  } catch (err) {
    el("login-error").textContent = ["not_authenticated", "invalid"].includes(err.code)
      ? "Benutzername oder Passwort ist falsch."
      : err.code === "too_many_requests"
        ? "Zu viele Versuche. Bitte warten Sie einen Moment."
        : problemText(err);
  }
}

function signedOut(message) {
  stopDesk();
  clearTimeout(idleTimer);
  state.token = null;
  state.user = null;
  state.desk = null;
  store.set(STORE.token, null);
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
    el("center-name").textContent = data.center?.name ?? "Welcome-Center";
    list.innerHTML = data.desks
      .map(
        (d) => `<li><button type="button" class="btn desk" data-desk="${esc(d.code)}">
          <strong>${esc(d.room)}</strong> <span class="muted">${esc(d.code)} · ${esc(d.agency)} · ${esc(DESK_STATE[d.state] ?? d.state)}</span></button></li>`,
      )
      .join("");
    list.querySelectorAll("[data-desk]").forEach((b) =>
      b.addEventListener("click", () => openDesk(b.dataset.desk)),
    );
    if (data.desks.length === 0) list.innerHTML = "<li>Für Ihre Stelle ist kein Schalter eingerichtet.</li>";
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
    el("center-name").textContent = data.center?.name ?? "Welcome-Center";
  } catch {
    state.today = null; // closed today, or offline: codes are shown instead of labels
  }
}

async function openDesk(code) {
  el("desk-error").textContent = "";
  try {
    const { data } = await api("GET", `/api/v1/desks/${encodeURIComponent(code)}`);
    state.deskCode = code;
    state.desk = data;
    store.set(STORE.desk, code);
    await loadToday();
    show("desk-view");
    renderDesk();
    await loadQueue().catch((err) => flash(problemText(err), "error"));
    startLive();
    el("desk-title").focus();
  } catch (err) {
    if (SIGNED_OUT.has(err.code)) return;
    el("desk-error").textContent =
      err.code === "unknown_desk"
        ? `Schalter „${code}“ gibt es nicht.`
        : err.code === "forbidden"
          ? `Schalter „${code}“ gehört zu einer anderen Stelle.`
          : problemText(err);
  }
}

// ---------------------------------------------------------------- desk screen --------
function ownSteps(visit) {
  return (visit?.steps ?? []).filter(
    (s) => s.desk === state.deskCode && ["called", "in_service"].includes(s.status),
  );
}

function renderDesk() {
  const desk = state.desk;
  if (!desk) return;
  el("desk-title").textContent = `${desk.room} (${desk.code})`;
  el("desk-title").setAttribute("tabindex", "-1");
  const badge = el("desk-state");
  badge.textContent = DESK_STATE[desk.state] ?? desk.state;
  badge.dataset.state = desk.state;
  const visit = desk.current;
  const here = ownSteps(visit);
  const called = here.some((s) => s.status === "called");
  const serving = here.some((s) => s.status === "in_service");
  const box = el("current");
  if (!visit) {
    box.innerHTML = '<p class="muted">Niemand ist aufgerufen.</p>';
  } else {
    const current = visit.current;
    const facts = [
      ["Sprache", languageLabel(visit.language)],
      ["Status", visit.residence_status ? residenceLabel(visit.residence_status) : null],
      ["Wohnort", visit.municipality],
      ["Alter", visit.age],
      ["Muss gehen um", visit.leave_by],
      ["Kinder dabei", visit.priority?.children ? "ja" : null],
      ["Barrierefreiheit", visit.priority?.accessibility ? "ja" : null],
      ["Einwilligung Datenaustausch", visit.consent_share ? "ja" : "nein"],
    ]
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
      .join("");
    const others = visit.steps
      .filter((s) => !here.includes(s))
      .map(
        (s) => `<li>${esc(needLabel(s.need))} – ${esc(agencyLabel(s.agency))} <span class="muted">(${esc(STEP_STATUS[s.status] ?? s.status)})</span></li>`,
      )
      .join("");
    box.innerHTML = `
      <p class="ticket" data-testid="current-ticket">${esc(visit.ticket)}</p>
      <p class="status-line">${serving ? "in Beratung" : `aufgerufen um ${esc(clock(current?.called_at))}`}</p>
      <p><strong>Anliegen hier:</strong> ${here.map((s) => esc(needLabel(s.need))).join(", ") || "–"}</p>
      <dl class="facts">${facts}</dl>
      ${others ? `<details><summary>Weitere Stationen</summary><ul>${others}</ul></details>` : ""}`;
  }
  const setEnabled = (action, on) => {
    const button = document.querySelector(`[data-action="${action}"]`);
    button.disabled = state.busy || !on;
  };
  setEnabled("call-next", !visit);
  setEnabled("recall", called);
  setEnabled("start", called);
  setEnabled("finish", called || serving);
  setEnabled("no-show", called);
  for (const button of document.querySelectorAll("[data-state]")) {
    const target = { open: "open", pause: "paused", close: "closed" }[button.dataset.state];
    button.disabled = state.busy || desk.state === target;
  }
  if (!visit) el("finish-form").hidden = true;
}

function renderQueue() {
  el("queue-count").textContent = `(${state.queue.length})`;
  el("queue").innerHTML = state.queue.length
    ? state.queue
        .map((v) => {
          const hints = [
            v.priority?.children ? "Kinder" : "",
            v.priority?.accessibility ? "barrierefrei" : "",
            ...(v.reasons ?? []),
          ].filter(Boolean);
          return `<tr>
            <td>${esc(v.position)}</td>
            <td class="t">${esc(v.ticket)}</td>
            <td>${esc(languageLabel(v.language))}</td>
            <td>${(v.needs_here ?? []).map((n) => esc(needLabel(n))).join(", ")}</td>
            <td>${minutesSince(v.checked_in_at)} min</td>
            <td>${esc(v.leave_by ?? "")}</td>
            <td class="muted">${esc(hints.join(" · "))}</td></tr>`;
        })
        .join("")
    : '<tr><td colspan="7" class="muted">Niemand wartet auf diesen Schalter.</td></tr>';
}

async function loadDesk(options) {
  if (!state.deskCode) return;
  const { data } = await api("GET", `/api/v1/desks/${encodeURIComponent(state.deskCode)}`, undefined, options);
  state.desk = data;
  renderDesk();
}

async function loadQueue(options) {
  if (!state.deskCode) return;
  const { data } = await api("GET", `/api/v1/desks/${encodeURIComponent(state.deskCode)}/queue`, undefined, options);
  state.queue = data;
  renderQueue();
}

/** Desk and queue over HTTP; a problem other than no answer is said in the flash line. */
async function loadAll(options) {
  const results = await Promise.allSettled([loadDesk(options), loadQueue(options)]);
  const failed = results.find((r) => r.status === "rejected")?.reason;
  if (!failed) return;
  const said = failed instanceof ApiError && (failed.kind === "network" || SIGNED_OUT.has(failed.code));
  if (!said) flash(problemText(failed), "error");
  throw failed; // the live feed counts it (offline after it finds no answer)
}

/** Refresh now, for the page's own actions: problems are flashed, never thrown. */
const refreshAll = () => loadAll().catch(() => {});

async function run(label, send) {
  if (state.busy) return;
  state.busy = true;
  renderDesk();
  try {
    const result = await send();
    return result;
  } catch (err) {
    if (!SIGNED_OUT.has(err.code)) flash(`${label}: ${problemText(err)}`, "error");
    return null;
  } finally {
    state.busy = false;
    await refreshAll();
  }
}

async function deskAction(action) {
  if (action === "finish") return openFinish();
  const path = `/api/v1/desks/${encodeURIComponent(state.deskCode)}/${action}`;
  const result = await run(action, () => api("POST", path));
  if (!result) return undefined;
  if (action === "call-next") {
    if (result.status === 204) flash("Niemand wartet auf diese Stelle.");
    else flash(`${result.data.ticket} aufgerufen.`);
  } else if (action === "recall") flash(`${result.data.ticket} erneut aufgerufen.`);
  else if (action === "start") flash(`${result.data.ticket}: Beratung begonnen.`);
  else if (action === "no-show") flash(`${result.data.ticket}: nicht erschienen.`);
  return undefined;
}

async function setDeskState(which) {
  const path = `/api/v1/desks/${encodeURIComponent(state.deskCode)}/${which}`;
  const result = await run(which, () => api("POST", path));
  if (result) flash(`Schalter ${DESK_STATE[result.data.state] ?? result.data.state}.`);
}

function openFinish() {
  const visit = state.desk?.current;
  if (!visit) return;
  const here = ownSteps(visit);
  el("finish-resolved").innerHTML = here
    .map(
      (s) => `<label class="check"><input type="checkbox" name="resolved" value="${esc(s.need)}" checked> ${esc(needLabel(s.need))}</label>`,
    )
    .join("");
  const open = new Set(
    visit.steps.filter((s) => ["pending", "called", "in_service"].includes(s.status)).map((s) => s.need),
  );
  const needs = state.today?.needs ?? [];
  el("finish-add").innerHTML = needs.length
    ? needs
        .filter((n) => !open.has(n.code))
        .map(
          (n) => `<label class="check"><input type="checkbox" name="add" value="${esc(n.code)}"> ${esc(needLabel(n.code))}${n.available ? "" : ' <span class="muted">(heute nicht da)</span>'}</label>`,
        )
        .join("")
    : '<p class="muted">Liste der Anliegen nicht verfügbar.</p>';
  el("finish-note").value = "";
  el("finish-form").hidden = false;
  el("finish-form").querySelector("input, textarea")?.focus();
}

async function submitFinish(event) {
  event.preventDefault();
  const form = el("finish-form");
  const resolved = [...form.querySelectorAll('input[name="resolved"]:checked')].map((i) => i.value);
  const addNeeds = [...form.querySelectorAll('input[name="add"]:checked')].map((i) => i.value);
  const note = el("finish-note").value.trim() || null;
  const path = `/api/v1/desks/${encodeURIComponent(state.deskCode)}/finish`;
  const result = await run("finish", () =>
    api("POST", path, { resolved, add_needs: addNeeds, note }),
  );
  if (result) {
    form.hidden = true;
    flash(`${result.data.ticket} abgeschlossen.`);
  }
}

// ---------------------------------------------------------------- live ---------------
function showLive() {
  const label = el("live-state");
  const feed = state.live;
  const offline = feed?.offline ?? false;
  const open = feed?.state === "open";
  label.textContent = open ? "● live" : offline ? "○ keine Verbindung" : "○ Abfrage alle 5 s";
  label.dataset.state = open ? "open" : offline ? "offline" : "polling";
}

function startLive() {
  stopDesk();
  state.live = new LiveFeed({
    path: `/ws/desks/${encodeURIComponent(state.deskCode)}`,
    token: () => state.token, // the first message, so it never lands in an access log
    // Every message (snapshot or event) means: read desk and queue again, in 200 ms.
    poll: async () => {
      // Background: polls and live events are not this clerk's activity. An action in
      // flight refreshes by itself after.
      if (!state.busy) await loadAll({ background: true });
    },
    pollEvery: QUEUE_POLL_MS,
    pollEveryLive: QUEUE_POLL_WITH_LIVE_MS,
    refreshDelay: 200,
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
el("finish-form").addEventListener("submit", submitFinish);
el("finish-cancel").addEventListener("click", () => {
  el("finish-form").hidden = true;
});

if (!state.token) {
  show("login-view");
} else if (state.deskCode) {
  openDesk(state.deskCode).then(() => {
    if (!state.desk && state.token) chooseDesk();
  });
} else {
  chooseDesk();
}
