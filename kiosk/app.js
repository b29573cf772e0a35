// The check-in kiosk: language → needs (→ invitation code) → optional questions →
// consent → ticket. Uses only the public API (shared/API.md). No build step.
// Layout: a header (center, progress, larger text), the screen, and a footer with the
// screen's actions, so the primary action is always on screen without scrolling.

import {
  ApiError,
  checkIn,
  isDayClosed,
  isKioskBusy,
  isUnknownInvitation,
  lookupInvitation,
  newKey,
  phoneLink,
  today as fetchToday,
} from "./api.js";
import { icon } from "./icons.js";
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
  tn,
} from "/static/i18n.js";

const IDLE_MS = 60_000; // back to the start after a minute without a touch
const IDLE_WARN_MS = 10_000; // the last seconds say so
const TODAY_REFRESH_MS = 5 * 60_000;
const STORE = { token: "wc.kiosk.token", center: "wc.kiosk.center" };
const INVITATION = /^[A-Za-z0-9-]{4,32}$/; // what a letter's code or QR holds
const SOON_MINUTES = 5;

// ---------------------------------------------------------------- setup --------------
const setup = deviceSetup(STORE);
const screenEl = document.getElementById("screen");
const progressEl = document.getElementById("progress");
const actionsEl = document.getElementById("actions");
const textSizeEl = document.getElementById("text-size");
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
  link: null, // the phone link from the server: {url, code, code_url, qr_svg}
  busy: false,
  error: null,
  large: false,
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
  state.invitation = null;
  state.attempt = null;
  state.visit = null;
  state.link = null;
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

/** A catalogue string as HTML with markup put in for its placeholders (already escaped). */
function fillHtml(key, html) {
  return esc(L(key)).replace(/\{(\w+)\}/g, (m, name) => (name in html ? html[name] : m));
}

/** A name as HTML: a German name in brackets at its end is marked German (lang="de"). */
function nameHtml(text) {
  const match = /^(.*\S)\s*\(([^()]*[A-Za-zÄÖÜäöüß][^()]*)\)$/.exec(text ?? "");
  if (!match || state.lang === "de") return esc(text);
  return `${esc(match[1])} <span lang="de" dir="ltr">(${esc(match[2])})</span>`;
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
  state.large = false;
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
    invitation: renderInvitation,
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
  // A mobile day names its town: visitors see they came to the right place.
  const site = state.today?.site;
  centerNameEl.textContent = [state.today?.center?.name ?? "Welcome-Center", site].filter(Boolean).join(" · ");
  renderTextSize();
  screenEl.dataset.screen = state.screen;
  document.body.dataset.screen = state.screen;
  const [body, actions] = renderers[state.screen]();
  screenEl.innerHTML = body;
  actionsEl.innerHTML = actions ?? "";
  actionsEl.hidden = !actions;
  bind(state.screen);
  hideIdleWarning();
  const heading = screenEl.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  const autofocus = screenEl.querySelector("[data-autofocus]");
  if (autofocus) autofocus.focus({ preventScroll: true });
  screenEl.scrollTo?.(0, 0);
  window.scrollTo(0, 0);
  fitLabels();
}

/**
 * A word longer than its tile ("Bewerbungstraining" in a narrow column): hyphens: auto
 * breaks it at a syllable where the browser has a dictionary for the page's language;
 * where it has none (Chromium on Linux), the label's type shrinks step by step until
 * the longest word fits, and only below 70 % may the word break anywhere.
 */
function fitLabels() {
  for (const el of screenEl.querySelectorAll(".tile-label, .btn.choice > span, .btn.lang")) {
    el.style.fontSize = "";
    el.style.overflowWrap = "";
    for (let size = 95; el.scrollWidth > el.clientWidth + 1 && size >= 70; size -= 5) {
      el.style.fontSize = `${size}%`;
    }
    if (el.scrollWidth > el.clientWidth + 1) el.style.overflowWrap = "anywhere";
  }
}
window.addEventListener("resize", () => fitLabels());

function renderTextSize() {
  const changed = document.documentElement.classList.contains("large") !== state.large;
  document.documentElement.classList.toggle("large", state.large);
  if (changed) requestAnimationFrame(() => fitLabels());
  textSizeEl.setAttribute("aria-pressed", String(state.large));
  const label = document.getElementById("text-size-label");
  label.textContent = L(state.large ? "normalText" : "largerText");
  label.lang = state.lang;
}

/** The footer: back and skip on the start side, the primary action on the end side. */
function nav({ back = true, skip = false, next = false, nextDisabled = false, extra = "" } = {}) {
  return `<nav class="nav" aria-label="${esc(L("next"))}">
    ${back ? `<button type="button" class="btn secondary" data-action="back">${esc(L("back"))}</button>` : ""}
    <span class="nav-gap"></span>
    ${extra}
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
  return [
    `<h1 class="title">${esc(t(defaultLanguage(), "chooseLanguage"))}</h1>
    <p class="greetings">${greetings}</p>
    ${setupProblem ? `<p class="alert" role="alert">${esc(t(defaultLanguage(), "errSetup"))}</p>` : ""}
    <ul class="languages" role="list" data-count="${langs.length}">${buttons}</ul>`,
    "",
  ];
}

function whenNext(nextDate) {
  return nextDate ? L("nextDate", { date: formatDate(state.lang, nextDate) }) : L("noNextDate");
}

function renderNeeds() {
  const needs = state.today?.needs ?? [];
  const available = needs.filter((n) => n.available);
  const off = needs.filter((n) => !n.available);
  const tile = (need) => {
    const label = needLabel(need.code);
    const german = state.lang !== "de" ? pick(need.label, "de") : "";
    const on = state.needs.includes(need.code);
    const note = need.available
      ? ""
      : `<span class="tile-note"><strong>${esc(L("notToday"))}</strong> ${esc(whenNext(need.next_date))}</span>`;
    return `<li><button type="button" class="tile${need.available ? "" : " off"}" aria-pressed="${on}" data-need="${esc(need.code)}">
        ${icon(need.icon)}
        <span class="tile-label">${esc(label)}</span>
        ${german && german !== label ? `<span class="tile-sub" lang="de" dir="ltr">${esc(german)}</span>` : ""}
        ${note}
        <span class="tick" aria-hidden="true"></span>
      </button></li>`;
  };
  const invitation = state.invitation
    ? `<p class="invitation-saved" role="status">${icon("mail")}<span>${esc(L("invitationSaved"))}: <bdi dir="ltr" data-script="code">${esc(state.invitation)}</bdi></span></p>`
    : "";
  return [
    `<div class="needs-head">
      <div><h1 class="title">${esc(L("needsTitle"))}</h1>
      <p class="hint">${esc(L("needsHint"))}</p></div>
      ${invitation}
    </div>
    <ul class="tiles" role="list" data-count="${available.length + off.length}">${[...available, ...off].map(tile).join("")}</ul>`,
    nav({
      next: true,
      nextDisabled: state.needs.length === 0,
      extra: `<button type="button" class="btn secondary invite" data-action="invitation">${icon("mail")}<span>${esc(L("invitationButton"))}</span></button>`,
    }),
  ];
}

function renderInvitation() {
  const value = state.invitation ?? "";
  const rows = ["1234567890", "QWERTYUIOP", "ASDFGHJKL-", "ZXCVBNM"];
  const keys = rows
    .map(
      (row) =>
        `<div class="kb-row">${[...row].map((k) => `<button type="button" class="btn key" data-char="${k}">${k}</button>`).join("")}</div>`,
    )
    .join("");
  return [
    `<h1 class="title">${esc(L("invitationTitle"))}</h1>
    <p class="hint">${esc(L("invitationHint"))}</p>
    <p class="field"><label for="invitation">${esc(L("invitationLabel"))}</label>
      <input id="invitation" class="input code-input" type="text" maxlength="32" autocomplete="off"
        autocapitalize="characters" spellcheck="false" dir="ltr" data-autofocus value="${esc(value)}"></p>
    <p class="alert" id="invitation-error" role="alert" hidden>${esc(L("invitationInvalid"))}</p>
    <div class="keyboard" dir="ltr" data-script="code">${keys}
      <div class="kb-row"><button type="button" class="btn key wide" data-char="del" aria-label="${esc(L("clear"))}">⌫</button>
      <button type="button" class="btn key wide" data-char="clear">${esc(L("clear"))}</button></div>
    </div>`,
    nav({
      next: true,
      nextDisabled: !INVITATION.test(value),
      extra: value
        ? `<button type="button" class="btn secondary" data-action="remove-invitation">${esc(L("invitationRemove"))}</button>`
        : "",
    }),
  ];
}

function choice(value, label, sub, selected, attr = "data-value") {
  return `<li><button type="button" class="btn choice" ${attr}="${esc(value)}" aria-pressed="${selected}">
    <span>${esc(label)}</span>${sub ? `<span class="choice-sub" lang="de" dir="ltr">${esc(sub)}</span>` : ""}
  </button></li>`;
}

function renderStatus() {
  const current = state.answers.residence_status;
  const codes = residenceStatuses();
  const items = codes
    .map((code) =>
      choice(
        code,
        statusLabel(state.lang, code),
        state.lang === "de" ? "" : statusGerman(code),
        current === code,
      ),
    )
    .join("");
  return [
    `<h1 class="title">${esc(L("statusTitle"))}</h1>
    <p class="hint">${esc(L("statusHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices status" role="list" data-count="${codes.length + 1}">
      ${items}
      ${choice("unknown", statusLabel(state.lang, "unknown"), "", false)}
    </ul>`,
    nav({ skip: true }),
  ];
}

function renderTown() {
  const towns = state.today?.municipalities ?? [];
  const current = state.answers.municipality;
  if (towns.length === 0) {
    return [
      `<h1 class="title">${esc(L("townTitle"))}</h1>
      <p class="hint">${esc(L("townHint"))} ${esc(L("optionalNote"))}</p>
      <p class="field"><label for="town">${esc(L("townInput"))}</label>
        <input id="town" class="input" type="text" maxlength="100" autocomplete="off" value="${esc(current ?? "")}"></p>`,
      nav({ skip: true, next: true }),
    ];
  }
  const items = towns.map((town) => choice(town, town, "", current === town)).join("");
  return [
    `<h1 class="title">${esc(L("townTitle"))}</h1>
    <p class="hint">${esc(L("townHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices towns" role="list" lang="de" dir="ltr" data-count="${towns.length}">${items}</ul>`,
    nav({ skip: true }),
  ];
}

function renderAge() {
  const value = state.answers.age ?? "";
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del"]
    .map((k) => {
      if (k === "clear")
        return `<button type="button" class="btn key clear" data-key="clear">${esc(L("clear"))}</button>`;
      if (k === "del")
        return `<button type="button" class="btn key" data-key="del" aria-label="${esc(L("clear"))}">⌫</button>`;
      return `<button type="button" class="btn key" data-key="${k}">${k}</button>`;
    })
    .join("");
  return [
    `<h1 class="title">${esc(L("ageTitle"))}</h1>
    <p class="hint">${esc(L("ageHint"))} ${esc(L("optionalNote"))}</p>
    <div class="age-layout">
      <p class="field"><label for="age">${esc(L("ageLabel"))}</label>
        <input id="age" class="input big-input" type="text" inputmode="none" maxlength="3" autocomplete="off" dir="ltr" value="${esc(value)}"></p>
      <div class="keypad" dir="ltr">${keys}</div>
    </div>`,
    nav({ skip: true, next: true, nextDisabled: !validAge(value) }),
  ];
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
  const times = leaveTimes();
  const items = times.map((hhmm) => choice(hhmm, hhmm, "", current === hhmm)).join("");
  return [
    `<h1 class="title">${esc(L("leaveTitle"))}</h1>
    <p class="hint">${esc(L("leaveHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices times" role="list" dir="ltr" data-count="${times.length}">${items}</ul>`,
    nav({ skip: true }),
  ];
}

function renderPriority() {
  const toggle = (key) => `<li><button type="button" class="btn choice toggle" data-toggle="${key}" aria-pressed="${state.answers[key]}">
      <span class="tick" aria-hidden="true"></span><span>${esc(L(key))}</span></button></li>`;
  return [
    `<h1 class="title">${esc(L("priorityTitle"))}</h1>
    <p class="hint">${esc(L("priorityHint"))} ${esc(L("optionalNote"))}</p>
    <ul class="choices wide" role="list">${toggle("children")}${toggle("accessibility")}</ul>`,
    nav({ next: true }),
  ];
}

/** The needs chosen that no desk serves today, with the next date: said before confirming. */
function chosenUnavailable() {
  return state.needs.map(needInfo).filter((n) => n && !n.available);
}

function renderConsent() {
  const off = chosenUnavailable();
  const list = off.length
    ? `<section class="unavailable-box" aria-labelledby="off-title">
        <h2 id="off-title">${esc(L("unavailableTitle"))}</h2>
        <p>${esc(L("unavailableBefore"))}</p>
        <ul role="list">${off.map((n) => `<li>${icon(n.icon)}<span><strong>${esc(needLabel(n.code))}</strong> – ${esc(whenNext(n.next_date))}</span></li>`).join("")}</ul>
      </section>`
    : "";
  return [
    `<h1 class="title">${esc(L("consentTitle"))}</h1>
    <p class="explain">${esc(L("consentText"))}</p>
    ${list}`,
    nav({
      extra: `<button type="button" class="btn primary consent" data-consent="no">${esc(L("consentNo"))}</button>
        <button type="button" class="btn primary consent" data-consent="yes">${esc(L("consentYes"))}</button>`,
    }),
  ];
}

function renderSending() {
  return [
    `<h1 class="title">${esc(L("sending"))}</h1>
    <div class="spinner" aria-hidden="true"></div>
    <p class="hint" id="retry-note" role="status" aria-live="polite"></p>`,
    "",
  ];
}

/** What the visitor may honestly expect, as HTML lines: a number, "soon" (only when
 * true), when the desks open, or that the screen and the phone will tell. */
function waitLines(visit) {
  const lines = [];
  const closed = visit.closed_agencies ?? [];
  const minutes = visit.estimated_wait_minutes;
  const opens = state.today?.opens;
  for (const agency of closed) {
    const name = `<bdi>${nameHtml(agencyLabel(agency))}</bdi>`;
    const before = opens && nowMinutes() < toMinutes(opens);
    lines.push(
      before
        ? fillHtml("closedOpensAt", { agency: name, time: `<bdi dir="ltr">${esc(opens)}</bdi>` })
        : fillHtml("closedWillTell", { agency: name }),
    );
  }
  if (visit.status !== "waiting") return lines;
  if (typeof minutes !== "number") {
    if (closed.length === 0) lines.unshift(esc(L("waitUnknown")));
  } else if (minutes <= SOON_MINUTES && closed.length === 0) {
    lines.unshift(esc(L("waitSoon")));
  } else if (Array.isArray(visit.estimated_wait_range)) {
    // The calibrated range (about 8 in 10 are called within it), not a single number.
    const [min, max] = visit.estimated_wait_range;
    lines.unshift(esc(tn(state.lang, "waitRange", max, { min, max })));
  } else {
    const min = Math.max(minutes, 1);
    lines.unshift(esc(tn(state.lang, "wait", min, { min })));
  }
  return lines; // HTML: each line escaped, names marked
}

function unavailableItems(visit) {
  return (visit.unavailable ?? []).map((u) => ({
    need: u.need,
    text: u.next_date ? L("unavailableNext", { date: formatDate(state.lang, u.next_date) }) : L("unavailableNone"),
  }));
}

function renderTicket() {
  const visit = state.visit;
  const open = visit.steps.filter((s) => ["pending", "called", "in_service"].includes(s.status));
  const steps = open
    .map(
      (s, i) => `<li><span class="step-no" aria-hidden="true">${i + 1}</span>
        ${icon(needInfo(s.need)?.icon)}
        <span class="step-text"><strong>${esc(needLabel(s.need))}</strong><span class="muted">${nameHtml(agencyLabel(s.agency))}</span></span></li>`,
    )
    .join("");
  const unavailable = unavailableItems(visit)
    .map((u) => `<li>${icon(needInfo(u.need)?.icon)}<span><strong>${esc(needLabel(u.need))}</strong> – ${esc(u.text)}</span></li>`)
    .join("");
  const link = state.link;
  const phone = link
    ? `<div class="phone">
        <div class="qr-box" data-testid="qr">${link.qr_svg}</div>
        <div class="phone-text">
          <p>${fillHtml("phoneCode", { url: `<bdi class="phone-url" dir="ltr" data-script="code">${esc(link.code_url)}</bdi>` })}</p>
          <p class="phone-code" dir="ltr" data-script="code" data-testid="code">${esc(link.code)}</p>
        </div>
      </div>`
    : "";
  return [
    `<div class="ticket-layout">
      <section class="ticket-main">
        <h1 class="title">${esc(L("ticketTitle"))}</h1>
        <p class="ticket-number" dir="ltr" data-script="code" data-testid="ticket">${esc(visit.ticket)}</p>
        <p class="hint strong">${esc(L("ticketHint"))}</p>
        <div class="wait" data-testid="wait">${waitLines(visit).map((line) => `<p>${line}</p>`).join("")}</div>
        ${visit.leave_by ? `<p class="muted">${esc(L("leaveBy", { time: visit.leave_by }))}</p>` : ""}
      </section>
      <section class="ticket-side">
        ${steps ? `<h2>${esc(L("yourSteps"))}</h2><ol class="steps" role="list">${steps}</ol>` : ""}
        ${unavailable ? `<h2>${esc(L("unavailableTitle"))}</h2><ul class="unavailable" role="list">${unavailable}</ul>` : ""}
        ${phone ? `<h2>${esc(L("phone"))}</h2>${phone}` : ""}
      </section>
    </div>`,
    `<nav class="nav" aria-label="${esc(L("done"))}">
      <span class="nav-gap"></span>
      <button type="button" class="btn secondary" data-action="print">${esc(L("print"))}</button>
      <button type="button" class="btn primary" data-action="done">${esc(L("done"))}</button>
    </nav>`,
  ];
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
      return `<li>${i + 1}. ${esc(local)}${german !== local ? ` <span lang="de">(${esc(german)})</span>` : ""} – ${nameHtml(agencyLabel(s.agency))}</li>`;
    })
    .join("");
  const unavailable = unavailableItems(visit)
    .map((u) => `<li>${esc(needLabel(u.need))} – ${esc(u.text)}</li>`)
    .join("");
  const link = state.link;
  printEl.setAttribute("lang", state.lang);
  printEl.setAttribute("dir", isRtl(state.lang) ? "rtl" : "ltr");
  printEl.innerHTML = `
    <p class="p-center" lang="de">${esc(state.today?.center?.name ?? "Welcome-Center")}</p>
    <p class="p-date">${esc(formatDate(state.lang, state.today?.date))} · ${esc(formatTime(state.lang, new Date(), timeZone()))}</p>
    <p class="p-title">${esc(L("ticketTitle"))}</p>
    <p class="p-ticket" dir="ltr">${esc(visit.ticket)}</p>
    <p>${esc(L("ticketHint"))}</p>
    ${waitLines(visit).map((line) => `<p>${line}</p>`).join("")}
    ${lines ? `<p class="p-head">${esc(L("yourSteps"))}</p><ol>${lines}</ol>` : ""}
    ${unavailable ? `<p class="p-head">${esc(L("unavailableTitle"))}</p><ul>${unavailable}</ul>` : ""}
    ${
      link
        ? `<p class="p-head">${esc(L("phone"))}</p>
    <div class="p-qr">${link.qr_svg}</div>
    <p>${fillHtml("phoneCode", { url: `<bdi class="p-url" dir="ltr">${esc(link.code_url)}</bdi>` })}</p>
    <p class="p-code" dir="ltr">${esc(link.code)}</p>`
        : ""
    }`;
}

function errorMessage(err) {
  if (!(err instanceof ApiError)) return { text: L("errInvalid"), retry: false };
  if (isKioskBusy(err)) return { text: L("kioskBusy"), retry: true };
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
  if (isUnknownInvitation(err)) return { text: L("invitationUnknown"), retry: false };
  if (err.status === 409) return { text: L("errNetwork"), retry: true };
  if (err.status === 401 || err.status === 403) return { text: L("errSetup"), retry: false };
  return { text: L("errInvalid"), retry: false };
}

function renderError() {
  const { text, retry } = errorMessage(state.error);
  const detail = state.error?.problem?.detail ?? state.error?.message ?? "";
  return [
    `<h1 class="title">${esc(text)}</h1>
    <div class="alert-icon" aria-hidden="true">!</div>
    ${detail ? `<p class="tech" lang="en" dir="ltr">${esc(detail)}</p>` : ""}`,
    `<nav class="nav" aria-label="${esc(L("startOver"))}">
      <span class="nav-gap"></span>
      <button type="button" class="btn secondary" data-action="restart">${esc(L("startOver"))}</button>
      ${retry && state.attempt ? `<button type="button" class="btn primary" data-action="retry">${esc(L("tryAgain"))}</button>` : ""}
    </nav>`,
  ];
}

// ---------------------------------------------------------------- events -------------
function bind(screen) {
  for (const root of [screenEl, actionsEl]) {
    root.querySelectorAll("[data-action]").forEach((el) =>
      el.addEventListener("click", () => action(screen, el.dataset.action)),
    );
  }
  if (screen === "invitation") bindInvitation();
  if (screen === "language") {
    screenEl.querySelectorAll("[data-lang]").forEach((el) =>
      el.addEventListener("click", () => chooseLanguage(el.dataset.lang)),
    );
  }
  if (screen === "needs") {
    screenEl.querySelectorAll(".tile").forEach((el) =>
      el.addEventListener("click", () => {
        const code = el.dataset.need;
        state.needs = state.needs.includes(code)
          ? state.needs.filter((c) => c !== code)
          : [...state.needs, code];
        el.setAttribute("aria-pressed", String(state.needs.includes(code)));
        const next = actionsEl.querySelector('[data-action="next"]');
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
    actionsEl.querySelectorAll("[data-consent]").forEach((el) =>
      el.addEventListener("click", () => submit(el.dataset.consent === "yes")),
    );
  }
}

function bindInvitation() {
  const input = screenEl.querySelector("#invitation");
  const next = actionsEl.querySelector('[data-action="next"]');
  const error = screenEl.querySelector("#invitation-error");
  const update = (value) => {
    // A hand scanner types the letter's code (and Enter); people type with the keys.
    const code = value.replace(/[^A-Za-z0-9-]/g, "").toUpperCase().slice(0, 32);
    input.value = code;
    next.disabled = !INVITATION.test(code);
    error.hidden = code.length === 0 || code.length >= 4;
  };
  input.addEventListener("input", () => update(input.value));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (INVITATION.test(input.value)) action("invitation", "next");
      else error.hidden = false;
    }
  });
  screenEl.querySelectorAll("[data-char]").forEach((el) =>
    el.addEventListener("click", () => {
      const key = el.dataset.char;
      if (key === "clear") update("");
      else if (key === "del") update(input.value.slice(0, -1));
      else update(input.value + key);
    }),
  );
}

function bindAge() {
  const input = screenEl.querySelector("#age");
  const next = actionsEl.querySelector('[data-action="next"]');
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
  if (screen === "invitation" && (name === "back" || name === "next" || name === "remove-invitation")) {
    if (name === "next") {
      const value = screenEl.querySelector("#invitation").value;
      if (!INVITATION.test(value)) return undefined;
      return useInvitation(value);
    }
    if (name === "remove-invitation") state.invitation = null;
    return go("needs");
  }
  if (name === "invitation") return go("invitation");
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

async function chooseLanguage(lang) {
  resetVisit();
  if (!state.today && setup.slug) await refreshToday(); // a touch before the offer came
  state.lang = lang;
  setDocumentLanguage(lang);
  if (!state.today) {
    state.error = state.todayError ?? new ApiError("network");
    return go("error");
  }
  go("needs");
}

/**
 * A letter's code: the server's invitation fills in language and needs, and the invitee
 * confirms them on the needs screen. A code it does not know today is said at once, in
 * the visitor's language; without an answer (offline) the code rides with the check-in,
 * where the server checks it again.
 */
async function useInvitation(value) {
  const error = screenEl.querySelector("#invitation-error");
  try {
    const found = await lookupInvitation(setup.slug, setup.token, value);
    state.invitation = found.code;
    const offered = new Set((state.today?.needs ?? []).map((n) => n.code));
    const needs = found.needs.filter((code) => offered.size === 0 || offered.has(code));
    if (needs.length) state.needs = needs;
    const languages = state.today?.languages ?? [];
    if (found.language !== state.lang && languages.includes(found.language)) {
      state.lang = found.language;
      setDocumentLanguage(found.language);
    }
  } catch (err) {
    if (isUnknownInvitation(err)) {
      if (error) {
        error.textContent = L("invitationUnknown");
        error.hidden = false;
      }
      return undefined;
    }
    state.invitation = value;
  }
  return go("needs");
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
  // The server checks the code against today's invitations and marks the visit invited.
  if (state.invitation && INVITATION.test(state.invitation)) body.invitation_code = state.invitation;
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
      onRetry: (_n, err) => {
        const note = document.getElementById("retry-note");
        if (note) note.textContent = L(isKioskBusy(err) ? "kioskBusy" : "retrying");
      },
    });
    state.visit = visit;
    try {
      // The phone link, its QR code and short code: from the server (WELCOME_PUBLIC_URL).
      state.link = await phoneLink(visit.token);
    } catch {
      state.link = null; // the ticket number is what matters; the phone link is extra
    }
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
  if (state.screen === "language" && state.lang === defaultLanguage()) {
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
  window.addEventListener(
    type,
    (event) => {
      // A touch on the countdown itself counts; its button closes it (on click).
      if (event.target?.closest?.("#idle")) lastTouch = Date.now();
      else touch();
    },
    { passive: true, capture: true },
  ),
);
setInterval(() => {
  if (state.screen === "language" || state.busy) return;
  const idle = Date.now() - lastTouch;
  if (idle >= IDLE_MS) {
    startOver();
  } else if (idle >= IDLE_MS - IDLE_WARN_MS) {
    showIdleWarning(Math.ceil((IDLE_MS - idle) / 1000));
  }
}, 1000);

/** The countdown before the kiosk starts again, with an "I am still here" button. */
function showIdleWarning(left) {
  const count = idleEl.querySelector(".idle-count");
  if (!idleEl.hidden && count) {
    count.textContent = String(left);
    return;
  }
  idleEl.lang = state.lang;
  idleEl.dir = isRtl(state.lang) ? "rtl" : "ltr";
  idleEl.innerHTML = `<div class="idle-box">
      <h2 id="idle-title">${esc(L("idleTitle"))}</h2>
      <p>${esc(L("idleText"))}</p>
      <p class="idle-count" aria-hidden="true" dir="ltr">${left}</p>
      <button type="button" class="btn primary" data-still-here>${esc(L("stillHere"))}</button>
    </div>`;
  idleEl.hidden = false;
  const button = idleEl.querySelector("[data-still-here]");
  button.addEventListener("click", touch);
  button.focus({ preventScroll: true });
}

textSizeEl.addEventListener("click", () => {
  state.large = !state.large;
  renderTextSize();
});
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
  /** For tests: the countdown as it shows in the last seconds. */
  idleWarning(left = 9) {
    showIdleWarning(left);
  },
};
