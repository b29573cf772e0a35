// The check-in kiosk: language → needs → optional questions → consent → ticket.
// Uses only the public API (shared/API.md). No build step: plain ES modules.

import { ApiError, checkIn, isDayClosed, newKey, today as fetchToday } from "./api.js";
import { icon } from "./icons.js";
import { qrSvg } from "./qr.js";
import { deviceSetup } from "/static/device.js";
import { esc } from "/static/html.js";
import {
  LANGUAGE_NAMES,
  agencyNames,
  STRINGS,
  formatDate,
  formatTime,
  isRtl,
  pick,
  statusGerman,
  statusLabel,
  t,
} from "/static/i18n.js";

const IDLE_MS = 60_000; // back to the start after a minute without a touch
const IDLE_WARN_MS = 10_000; // the last seconds say so
const TODAY_REFRESH_MS = 5 * 60_000;
const STORE = { token: "wc.kiosk.token", center: "wc.kiosk.center" };

// ---------------------------------------------------------------- setup --------------
const setup = deviceSetup(STORE);
const screenEl = document.getElementById("screen");
const progressEl = document.getElementById("progress");
const centerNameEl = document.getElementById("center-name");
const idleEl = document.getElementById("idle");
const printEl = document.getElementById("print-ticket");

const state = {
  today: null,
  todayError: null,
  lang: "de",
  screen: "language",
  needs: [],
  answers: {},
  attempt: null, // {key, body}: one Idempotency-Key per check-in attempt, kept for retries
  visit: null,
  busy: false,
  error: null,
};

function resetVisit() {
  state.needs = [];
  state.answers = {
    residence_status: null,
    municipality: null,
    age: null,
    leave_by: null,
    children: false,
    accessibility: false,
  };
  state.attempt = null;
  state.visit = null;
  state.error = null;
  state.busy = false;
}
resetVisit();

// ---------------------------------------------------------------- helpers ------------
const L = (key, vars) => t(state.lang, key, vars);

function defaultLanguage() {
  return state.today?.languages?.[0] ?? "de";
}

function languages() {
  const offered = state.today?.languages ?? Object.keys(STRINGS);
  return offered.filter((code) => typeof code === "string" && code.length > 0);
}

function setDocumentLanguage(lang) {
  document.documentElement.lang = lang;
  document.documentElement.dir = isRtl(lang) ? "rtl" : "ltr";
}

function needInfo(code) {
  return state.today?.needs?.find((n) => n.code === code);
}

function needLabel(code, lang = state.lang) {
  return pick(needInfo(code)?.label, lang) || code;
}

function agencyLabel(code, lang = state.lang) {
  return pick(agencyNames(state.today)[code], lang) || code;
}

function timeZone() {
  return state.today?.center?.timezone ?? "Europe/Berlin";
}

/** Minutes since midnight, now, in the center's timezone. */
function nowMinutes() {
  const parts = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: timeZone(),
  }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

const toMinutes = (hhmm) => {
  const [h, m] = String(hhmm).split(":").map(Number);
  return h * 60 + m;
};
const toHHMM = (minutes) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

// ---------------------------------------------------------------- flow ---------------
/** The residence statuses the server offers today (the kiosk keeps no list of its own). */
function residenceStatuses() {
  const codes = state.today?.residence_statuses ?? [];
  return codes.filter((code) => typeof code === "string" && code.length > 0);
}

function questions() {
  const list = [];
  if (residenceStatuses().length > 0) list.push("status"); // nothing to choose: no question
  list.push("town");
  list.push("age");
  if (leaveTimes().length > 0) list.push("leave");
  list.push("priority");
  return list;
}

function flow() {
  return ["needs", ...questions(), "consent"];
}

function go(screen) {
  state.screen = screen;
  render();
}

function nextAfter(screen) {
  const steps = flow();
  const i = steps.indexOf(screen);
  go(steps[i + 1] ?? "consent");
}

function backFrom(screen) {
  const steps = flow();
  const i = steps.indexOf(screen);
  if (i <= 0) {
    startOver();
  } else {
    go(steps[i - 1]);
  }
}

function startOver() {
  resetVisit();
  state.lang = defaultLanguage();
  setDocumentLanguage(state.lang);
  go("language");
  refreshToday();
}

// ---------------------------------------------------------------- rendering ----------
function render() {
  const renderers = {
    language: renderLanguage,
    needs: renderNeeds,
    status: renderStatus,
    town: renderTown,
    age: renderAge,
    leave: renderLeave,
    priority: renderPriority,
    consent: renderConsent,
    sending: renderSending,
    ticket: renderTicket,
    error: renderError,
  };
  const steps = flow();
  const n = steps.indexOf(state.screen);
  progressEl.textContent = n >= 0 ? L("step", { n: n + 1, total: steps.length }) : "";
  centerNameEl.textContent = state.today?.center?.name ?? "Welcome-Center";
  screenEl.dataset.screen = state.screen;
  screenEl.innerHTML = renderers[state.screen]();
  bind(state.screen);
  hideIdleWarning();
  const heading = screenEl.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function nav({ back = true, skip = false, next = false, nextDisabled = false } = {}) {
  return `<nav class="nav" aria-label="${esc(L("next"))}">
    ${back ? `<button type="button" class="btn secondary" data-action="back">${esc(L("back"))}</button>` : ""}
    ${skip ? `<button type="button" class="btn secondary" data-action="skip">${esc(L("skip"))}</button>` : ""}
    ${next ? `<button type="button" class="btn primary" data-action="next" ${nextDisabled ? "disabled" : ""}>${esc(L("next"))}</button>` : ""}
  </nav>`;
}

function renderLanguage() {
  const langs = languages();
  const greetings = langs
    .filter((code) => STRINGS[code])
    .map((code) => `<span lang="${esc(code)}" dir="auto">${esc(t(code, "welcome"))}</span>`)
    .join('<span aria-hidden="true"> · </span>');
  const buttons = langs
    .map((code) => {
      const name = LANGUAGE_NAMES[code] ?? code;
      return `<li><button type="button" class="btn lang" lang="${esc(code)}" dir="${isRtl(code) ? "rtl" : "ltr"}" data-lang="${esc(code)}">${esc(name)}</button></li>`;
    })
    .join("");
  const setupProblem = !setup.slug || !setup.token;
  return `
    <h1 class="title">${esc(t(defaultLanguage(), "chooseLanguage"))}</h1>
    <p class="greetings">${greetings}</p>
    ${setupProblem ? `<p class="alert" role="alert">${esc(t(defaultLanguage(), "errSetup"))}</p>` : ""}
    <ul class="languages" role="list">${buttons}</ul>`;
}

function renderNeeds() {
  const needs = state.today?.needs ?? [];
  const sorted = [...needs.filter((n) => n.available), ...needs.filter((n) => !n.available)];
  const anyOff = sorted.some((n) => !n.available);
  const tiles = sorted
    .map((need) => {
      const label = needLabel(need.code);
      const german = state.lang !== "de" ? pick(need.label, "de") : "";
      if (!need.available) {
        const when = need.next_date
          ? L("nextDate", { date: formatDate(state.lang, need.next_date) })
          : L("noNextDate");
        return `<li><button type="button" class="tile off" aria-disabled="true" data-need="${esc(need.code)}">
          ${icon(need.icon)}
          <span class="tile-label">${esc(label)}</span>
          <span class="tile-note"><strong>${esc(L("notToday"))}</strong> · ${esc(when)}</span>
        </button></li>`;
      }
      const on = state.needs.includes(need.code);
      return `<li><button type="button" class="tile" aria-pressed="${on}" data-need="${esc(need.code)}">
        ${icon(need.icon)}
        <span class="tile-label">${esc(label)}</span>
        ${german && german !== label ? `<span class="tile-sub" lang="de" dir="ltr">${esc(german)}</span>` : ""}
        <span class="tick" aria-hidden="true">✓</span>
      </button></li>`;
    })
    .join("");
  return `
    <h1 class="title">${esc(L("needsTitle"))}</h1>
    <p class="hint">${esc(L("needsHint"))}${anyOff ? ` ${esc(L("needsUnavailableNote"))}` : ""}</p>
    <ul class="tiles" role="list">${tiles}</ul>
    ${nav({ next: true, nextDisabled: state.needs.length === 0 })}`;
}

function choice(value, label, sub, selected, attr = "data-value") {
  return `<li><button type="button" class="btn choice" ${attr}="${esc(value)}" aria-pressed="${selected}">
    <span>${esc(label)}</span>${sub ? `<span class="choice-sub" lang="de" dir="ltr">${esc(sub)}</span>` : ""}
  </button></li>`;
}

function renderStatus() {
  const current = state.answers.residence_status;
  const items = residenceStatuses()
    .map((code) =>
      choice(
        code,
        statusLabel(state.lang, code),
        state.lang === "de" ? "" : statusGerman(code),
        current === code,
      ),
    )
    .join("");
  return `
    <h1 class="title">${esc(L("statusTitle"))}</h1>
    <p class="hint">${esc(L("statusHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices" role="list">
      ${items}
      ${choice("unknown", statusLabel(state.lang, "unknown"), "", false)}
    </ul>
    ${nav({ skip: true })}`;
}

function renderTown() {
  const towns = state.today?.municipalities ?? [];
  const current = state.answers.municipality;
  if (towns.length === 0) {
    return `
      <h1 class="title">${esc(L("townTitle"))}</h1>
      <p class="hint">${esc(L("townHint"))} ${esc(L("optionalNote"))}</p>
      <p class="field"><label for="town">${esc(L("townInput"))}</label>
        <input id="town" class="input" type="text" maxlength="100" autocomplete="off" value="${esc(current ?? "")}"></p>
      ${nav({ skip: true, next: true })}`;
  }
  const items = towns.map((town) => choice(town, town, "", current === town)).join("");
  return `
    <h1 class="title">${esc(L("townTitle"))}</h1>
    <p class="hint">${esc(L("townHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices towns" role="list" lang="de" dir="ltr">${items}</ul>
    ${nav({ skip: true })}`;
}

function renderAge() {
  const value = state.answers.age ?? "";
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del"]
    .map((k) => {
      if (k === "clear")
        return `<button type="button" class="btn key" data-key="clear">${esc(L("clear"))}</button>`;
      if (k === "del")
        return `<button type="button" class="btn key" data-key="del" aria-label="⌫ ${esc(L("clear"))}">⌫</button>`;
      return `<button type="button" class="btn key" data-key="${k}">${k}</button>`;
    })
    .join("");
  return `
    <h1 class="title">${esc(L("ageTitle"))}</h1>
    <p class="hint">${esc(L("ageHint"))} ${esc(L("optionalNote"))}</p>
    <p class="field"><label for="age">${esc(L("ageLabel"))}</label>
      <input id="age" class="input big-input" type="text" inputmode="none" maxlength="3" autocomplete="off" dir="ltr" value="${esc(value)}"></p>
    <div class="keypad" dir="ltr">${keys}</div>
    ${nav({ skip: true, next: true, nextDisabled: !validAge(value) })}`;
}

function validAge(value) {
  const n = Number(value);
  return String(value).length > 0 && Number.isInteger(n) && n >= 0 && n <= 120;
}

/** Half-hour choices from a little after now until the center closes. */
function leaveTimes() {
  const closes = state.today?.closes ? toMinutes(state.today.closes) : 18 * 60;
  const from = Math.ceil((nowMinutes() + 30) / 30) * 30;
  const out = [];
  for (let m = from; m <= closes && out.length < 16; m += 30) out.push(toHHMM(m));
  return out;
}

function renderLeave() {
  const current = state.answers.leave_by;
  const items = leaveTimes()
    .map((hhmm) => choice(hhmm, hhmm, "", current === hhmm))
    .join("");
  return `
    <h1 class="title">${esc(L("leaveTitle"))}</h1>
    <p class="hint">${esc(L("leaveHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices times" role="list" dir="ltr">${items}</ul>
    ${nav({ skip: true })}`;
}

function renderPriority() {
  const toggle = (key) => `<li><button type="button" class="btn choice toggle" data-toggle="${key}" aria-pressed="${state.answers[key]}">
      <span class="tick" aria-hidden="true">✓</span><span>${esc(L(key))}</span></button></li>`;
  return `
    <h1 class="title">${esc(L("priorityTitle"))}</h1>
    <p class="hint">${esc(L("priorityHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices wide" role="list">${toggle("children")}${toggle("accessibility")}</ul>
    ${nav({ next: true })}`;
}

function renderConsent() {
  return `
    <h1 class="title">${esc(L("consentTitle"))}</h1>
    <p class="explain">${esc(L("consentText"))}</p>
    <ul class="choices wide consent" role="list">
      <li><button type="button" class="btn choice primary" data-consent="yes">${esc(L("consentYes"))}</button></li>
      <li><button type="button" class="btn choice primary" data-consent="no">${esc(L("consentNo"))}</button></li>
    </ul>
    ${nav()}`;
}

function renderSending() {
  return `
    <h1 class="title">${esc(L("sending"))}</h1>
    <div class="spinner" aria-hidden="true"></div>
    <p class="hint" id="retry-note" role="status" aria-live="polite"></p>`;
}

/** The visitor's phone page (/visit/), for the QR code and the link on the ticket. */
function phoneUrl(visit) {
  const url = new URL("/visit/", location.origin);
  url.searchParams.set("t", visit.token);
  if (setup.slug) url.searchParams.set("c", setup.slug);
  return url.toString();
}

function renderTicket() {
  const visit = state.visit;
  const open = visit.steps.filter((s) => ["pending", "called", "in_service"].includes(s.status));
  const steps = open
    .map(
      (s, i) => `<li><span class="step-no" aria-hidden="true">${i + 1}</span>
        ${icon(needInfo(s.need)?.icon, { size: 36 })}
        <span><strong>${esc(needLabel(s.need))}</strong><br><span class="muted">${esc(agencyLabel(s.agency))}</span></span></li>`,
    )
    .join("");
  const unavailable = (visit.unavailable ?? [])
    .map((u) => {
      const when = u.next_date
        ? L("unavailableNext", { date: formatDate(state.lang, u.next_date) })
        : L("unavailableNone");
      return `<li><strong>${esc(needLabel(u.need))}</strong> – ${esc(when)}</li>`;
    })
    .join("");
  const minutes = visit.estimated_wait_minutes;
  const wait = minutes > 0 ? L("wait", { min: minutes }) : L("waitSoon");
  const url = phoneUrl(visit);
  let qr = "";
  try {
    qr = qrSvg(url, { label: L("phone") });
  } catch {
    qr = "";
  }
  return `
    <div class="ticket-layout">
      <section class="ticket-main">
        <h1 class="title">${esc(L("ticketTitle"))}</h1>
        <p class="ticket-number" dir="ltr" data-testid="ticket">${esc(visit.ticket)}</p>
        <p class="hint strong">${esc(L("ticketHint"))}</p>
        <p class="wait">${esc(wait)}</p>
        ${visit.leave_by ? `<p class="muted">${esc(L("leaveBy", { time: visit.leave_by }))}</p>` : ""}
      </section>
      <section class="ticket-side">
        ${steps ? `<h2>${esc(L("yourSteps"))}</h2><ol class="steps" role="list">${steps}</ol>` : ""}
        ${unavailable ? `<h2>${esc(L("unavailableTitle"))}</h2><ul class="unavailable" role="list">${unavailable}</ul>` : ""}
        <h2>${esc(L("phone"))}</h2>
        <div class="phone">${qr}<a class="phone-url" dir="ltr" href="${esc(url)}" target="_blank" rel="noopener">${esc(url)}</a></div>
      </section>
    </div>
    <nav class="nav" aria-label="${esc(L("done"))}">
      <button type="button" class="btn secondary" data-action="print">${esc(L("print"))}</button>
      <button type="button" class="btn primary" data-action="done">${esc(L("done"))}</button>
    </nav>`;
}

function renderPrint() {
  const visit = state.visit;
  if (!visit) {
    printEl.innerHTML = "";
    return;
  }
  const open = visit.steps.filter((s) => ["pending", "called", "in_service"].includes(s.status));
  const lines = open
    .map((s, i) => {
      const local = needLabel(s.need);
      const german = needLabel(s.need, "de");
      return `<li>${i + 1}. ${esc(local)}${german !== local ? ` <span lang="de">(${esc(german)})</span>` : ""} – ${esc(agencyLabel(s.agency, "de"))}</li>`;
    })
    .join("");
  const unavailable = (visit.unavailable ?? [])
    .map(
      (u) =>
        `<li>${esc(needLabel(u.need))}: ${esc(u.next_date ? formatDate(state.lang, u.next_date) : L("unavailableNone"))}</li>`,
    )
    .join("");
  const url = phoneUrl(visit);
  let qr = "";
  try {
    qr = qrSvg(url, { size: 160 });
  } catch {
    qr = "";
  }
  printEl.setAttribute("lang", state.lang);
  printEl.setAttribute("dir", isRtl(state.lang) ? "rtl" : "ltr");
  printEl.innerHTML = `
    <p class="p-center">${esc(state.today?.center?.name ?? "Welcome-Center")}</p>
    <p class="p-date">${esc(formatDate(state.lang, state.today?.date))} · ${esc(formatTime(state.lang, new Date(), timeZone()))}</p>
    <p class="p-title">${esc(L("ticketTitle"))}</p>
    <p class="p-ticket" dir="ltr">${esc(visit.ticket)}</p>
    <p>${esc(L("ticketHint"))}</p>
    ${lines ? `<p class="p-head">${esc(L("yourSteps"))}</p><ol>${lines}</ol>` : ""}
    ${unavailable ? `<p class="p-head">${esc(L("unavailableTitle"))}</p><ul>${unavailable}</ul>` : ""}
    <p class="p-head">${esc(L("phone"))}</p>
    <div class="p-qr">${qr}</div>
    <p class="p-url" dir="ltr">${esc(url)}</p>`;
}

function errorMessage(err) {
  if (!(err instanceof ApiError)) return { text: L("errInvalid"), retry: false };
  if (err.kind === "network" || err.status >= 500 || err.status === 429)
    return { text: L("errNetwork"), retry: true };
  // The problem's code says why (never its English detail): a closed day may say when
  // the next one is.
  if (isDayClosed(err)) {
    const next = err.problem?.next_date;
    const text = next
      ? `${L("errClosed")} ${L("errClosedNext", { date: formatDate(state.lang, next) })}`
      : L("errClosed");
    return { text, retry: false, closed: true };
  }
  if (err.status === 409) return { text: L("errNetwork"), retry: true };
  if (err.status === 401 || err.status === 403) return { text: L("errSetup"), retry: false };
  return { text: L("errInvalid"), retry: false };
}

function renderError() {
  const { text, retry } = errorMessage(state.error);
  const detail = state.error?.problem?.detail ?? state.error?.message ?? "";
  return `
    <h1 class="title">${esc(text)}</h1>
    <div class="alert-icon" aria-hidden="true">!</div>
    ${detail ? `<p class="tech" lang="en" dir="ltr">${esc(detail)}</p>` : ""}
    <nav class="nav" aria-label="${esc(L("startOver"))}">
      ${retry && state.attempt ? `<button type="button" class="btn primary" data-action="retry">${esc(L("tryAgain"))}</button>` : ""}
      <button type="button" class="btn secondary" data-action="restart">${esc(L("startOver"))}</button>
    </nav>`;
}

// ---------------------------------------------------------------- events -------------
function bind(screen) {
  screenEl.querySelectorAll("[data-action]").forEach((el) =>
    el.addEventListener("click", () => action(screen, el.dataset.action)),
  );
  if (screen === "language") {
    screenEl.querySelectorAll("[data-lang]").forEach((el) =>
      el.addEventListener("click", () => chooseLanguage(el.dataset.lang)),
    );
  }
  if (screen === "needs") {
    screenEl.querySelectorAll(".tile:not(.off)").forEach((el) =>
      el.addEventListener("click", () => {
        const code = el.dataset.need;
        state.needs = state.needs.includes(code)
          ? state.needs.filter((c) => c !== code)
          : [...state.needs, code];
        el.setAttribute("aria-pressed", String(state.needs.includes(code)));
        const next = screenEl.querySelector('[data-action="next"]');
        next.disabled = state.needs.length === 0;
      }),
    );
  }
  if (screen === "status") {
    screenEl.querySelectorAll("[data-value]").forEach((el) =>
      el.addEventListener("click", () => {
        const value = el.dataset.value;
        state.answers.residence_status = value === "unknown" ? null : value;
        nextAfter(screen);
      }),
    );
  }
  if (screen === "town") {
    screenEl.querySelectorAll("[data-value]").forEach((el) =>
      el.addEventListener("click", () => {
        state.answers.municipality = el.dataset.value;
        nextAfter(screen);
      }),
    );
  }
  if (screen === "leave") {
    screenEl.querySelectorAll("[data-value]").forEach((el) =>
      el.addEventListener("click", () => {
        state.answers.leave_by = el.dataset.value;
        nextAfter(screen);
      }),
    );
  }
  if (screen === "age") bindAge();
  if (screen === "priority") {
    screenEl.querySelectorAll("[data-toggle]").forEach((el) =>
      el.addEventListener("click", () => {
        const key = el.dataset.toggle;
        state.answers[key] = !state.answers[key];
        el.setAttribute("aria-pressed", String(state.answers[key]));
      }),
    );
  }
  if (screen === "consent") {
    screenEl.querySelectorAll("[data-consent]").forEach((el) =>
      el.addEventListener("click", () => submit(el.dataset.consent === "yes")),
    );
  }
}

function bindAge() {
  const input = screenEl.querySelector("#age");
  const next = screenEl.querySelector('[data-action="next"]');
  const update = (value) => {
    const digits = value.replace(/\D/g, "").slice(0, 3);
    input.value = digits;
    next.disabled = !validAge(digits);
  };
  input.addEventListener("input", () => update(input.value));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !next.disabled) action("age", "next");
  });
  screenEl.querySelectorAll("[data-key]").forEach((el) =>
    el.addEventListener("click", () => {
      const key = el.dataset.key;
      if (key === "clear") update("");
      else if (key === "del") update(input.value.slice(0, -1));
      else update(input.value + key);
    }),
  );
}

function action(screen, name) {
  if (name === "back") return backFrom(screen);
  if (name === "restart" || name === "done") return startOver();
  if (name === "print") return window.print();
  if (name === "retry") return send();
  if (name === "skip") {
    if (screen === "status") state.answers.residence_status = null;
    if (screen === "town") state.answers.municipality = null;
    if (screen === "age") state.answers.age = null;
    if (screen === "leave") state.answers.leave_by = null;
    return nextAfter(screen);
  }
  if (name === "next") {
    if (screen === "age") {
      const value = screenEl.querySelector("#age").value;
      state.answers.age = validAge(value) ? Number(value) : null;
    }
    if (screen === "town") {
      const input = screenEl.querySelector("#town");
      if (input) state.answers.municipality = input.value.trim() || null;
    }
    return nextAfter(screen);
  }
  return undefined;
}

function chooseLanguage(lang) {
  resetVisit();
  state.lang = lang;
  setDocumentLanguage(lang);
  if (!state.today) {
    state.error = state.todayError ?? new ApiError("network");
    return go("error");
  }
  go("needs");
}

// ---------------------------------------------------------------- check-in -----------
function checkInBody(consent) {
  const a = state.answers;
  const body = { language: state.lang, needs: [...state.needs], consent_share: consent };
  if (a.residence_status) body.residence_status = a.residence_status;
  if (a.municipality) body.municipality = a.municipality;
  if (a.age !== null && a.age !== undefined) body.age = a.age;
  if (a.leave_by) body.leave_by = a.leave_by;
  if (a.children || a.accessibility)
    body.priority = { children: !!a.children, accessibility: !!a.accessibility };
  return body;
}

function submit(consent) {
  const body = checkInBody(consent);
  // One key per attempt: the same answers sent again (retry) reuse it, new answers get a new one.
  if (!state.attempt || JSON.stringify(state.attempt.body) !== JSON.stringify(body)) {
    state.attempt = { key: newKey(), body };
  }
  send();
}

async function send() {
  if (state.busy) return;
  state.busy = true;
  go("sending");
  try {
    const visit = await checkIn(setup.slug, setup.token, state.attempt, {
      onRetry: () => {
        const note = document.getElementById("retry-note");
        if (note) note.textContent = L("retrying");
      },
    });
    state.visit = visit;
    state.busy = false;
    renderPrint();
    go("ticket");
  } catch (err) {
    state.busy = false;
    state.error = err;
    go("error");
  } finally {
    touch();
  }
}

// ---------------------------------------------------------------- today --------------
async function refreshToday() {
  if (!setup.slug) {
    state.todayError = new ApiError("http", { status: 401 });
    return;
  }
  try {
    state.today = await fetchToday(setup.slug);
    state.todayError = null;
  } catch (err) {
    state.todayError = err;
    // Closed today, or no such center: nothing to offer. A network error keeps the last offer.
    if (isDayClosed(err) || err?.code === "unknown_center") state.today = null;
  }
  if (state.screen === "language") {
    if (document.documentElement.lang !== defaultLanguage()) {
      state.lang = defaultLanguage();
      setDocumentLanguage(state.lang);
    }
    render();
  }
}

// ---------------------------------------------------------------- inactivity ---------
let lastTouch = Date.now();
function touch() {
  lastTouch = Date.now();
  hideIdleWarning();
}
function hideIdleWarning() {
  if (!idleEl.hidden) idleEl.hidden = true;
}
["pointerdown", "keydown", "touchstart", "wheel"].forEach((type) =>
  window.addEventListener(type, touch, { passive: true, capture: true }),
);
setInterval(() => {
  if (state.screen === "language" || state.busy) return;
  const idle = Date.now() - lastTouch;
  if (idle >= IDLE_MS) {
    startOver();
  } else if (idle >= IDLE_MS - IDLE_WARN_MS) {
    const left = Math.ceil((IDLE_MS - idle) / 1000);
    idleEl.hidden = false;
    idleEl.textContent = `${L("startOver")} … ${left}`;
  }
}, 1000);
setInterval(() => {
  if (state.screen === "language") refreshToday();
}, TODAY_REFRESH_MS);
window.addEventListener("afterprint", touch);

// ---------------------------------------------------------------- start --------------
setDocumentLanguage("de");
render();
refreshToday();

// For tests and support staff: what the kiosk is doing (no secrets).
window.welcomeKiosk = {
  get screen() {
    return state.screen;
  },
  get lang() {
    return state.lang;
  },
};
