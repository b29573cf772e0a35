// The waiting-room screen: the newest call large (German and the visitor's language),
// recent calls, per agency who waits and a wait range. Tickets, rooms and agencies only:
// never a name. Live over /ws/centers/{slug}/display (API.md §4); polls GET .../display
// every 3 s whenever the live channel is not open, and shows "offline" when neither answers.
// A call is announced with a chime and the server's spoken call (GET .../announce.wav,
// espeak-ng) in German and the visitor's language, as the center's config says; an
// unattended TV needs Chromium's --autoplay-policy=no-user-gesture-required (README).
// ?desk=<code> is the door sign of one desk: "Jetzt hier: A017".

import { request } from "/static/api.js";
import { deviceSetup } from "/static/device.js";
import { esc } from "/static/html.js";
import { RTL, STRINGS, t } from "/static/i18n.js";
import { LiveFeed } from "/static/live.js";

const POLL_MS = 3000;
const RECENT = 8;
const STORE = { token: "wc.display.token", center: "wc.display.center" };

// Words come from the shared catalogue (app/web/static/i18n/<lang>.js): the call in the
// visitor's language, the screen's own words in German with English beside them.
const say = (lang, key) => (STRINGS[lang] ?? STRINGS.en)[key] ?? STRINGS.en[key];
const DE_EN = (key, vars = {}) => [t("de", key, vars), t("en", key, vars)];
const SCREEN_LANGUAGES = Object.keys(STRINGS);

// ---------------------------------------------------------------- setup --------------
function readSetup() {
  const { slug, token, params } = deviceSetup(STORE);
  // ?sound=0 silences this screen (a second TV in the same room); the rest is the center's.
  return { slug, token, sound: params.get("sound") !== "0", desk: params.get("desk") };
}

const setup = readSetup();
const el = (id) => document.getElementById(id);

const state = {
  day: null,
  calls: [], // newest first: {ticket, status, language, desk, room, room_labels, agency}
  waiting: null,
  agencies: {}, // code → names per language
  waits: [], // per agency: waiting, open desks, wait range (the snapshot's `agencies`)
  desks: [], // the snapshot's desks (the door sign's state)
  screen: { announce: { chime: true, speak: true, languages: "visitor" }, agency_names: true },
  defaultLanguage: "de",
  centerName: null,
  timeZone: null, // the center's, from /today
  known: new Set(), // "ticket@desk" of calls already announced
  loaded: false,
  offline: false,
  live: "closed",
  highlight: null,
};
let feed = null; // the live connection (socket, resume, polling), made in start()

// ---------------------------------------------------------------- labels -------------
function roomIn(lang, entry) {
  const labels = entry.room_labels ?? {};
  if (labels[lang]) return labels[lang];
  const base = labels.de ?? labels.en ?? entry.room ?? entry.desk ?? "";
  const number = /(\d[\w.\-/]*)\s*$/.exec(base);
  if (number && STRINGS[lang]) return `${say(lang, "roomWord")} ${number[1]}`;
  return labels.en ?? base;
}

function agencyName(code) {
  const names = state.agencies[code];
  return names?.de ?? names?.en ?? code ?? "";
}

function phrase(lang, entry) {
  const template = say(lang, "dCall");
  return esc(template)
    .replace("{ticket}", `<bdi dir="ltr">${esc(entry.ticket)}</bdi>`)
    .replace("{room}", `<bdi>${esc(roomIn(lang, entry))}</bdi>`);
}

// ---------------------------------------------------------------- rendering ----------
function renderNow() {
  const now = state.calls[0];
  const box = el("now");
  if (!now) {
    box.innerHTML = `<p class="idle-text">${esc(say("de", "dWatch"))}</p>`;
    return;
  }
  const lang = now.language && now.language !== "de" ? now.language : null;
  box.innerHTML = `
    <p class="big" data-testid="now">
      <span class="ticket" id="now-ticket" dir="ltr">${esc(now.ticket)}</span>
      <svg class="arrow icon" aria-hidden="true"><use href="#i-arrow"/></svg>
      <span class="room" id="now-room">${esc(roomIn("de", now))}</span>
    </p>
    ${now.agency && state.screen.agency_names ? `<p class="agency">${esc(agencyName(now.agency))}</p>` : ""}
    ${lang ? `<p class="translated" lang="${esc(lang)}" dir="${RTL.has(lang) ? "rtl" : "ltr"}">${phrase(lang, now)}</p>` : ""}`;
  box.classList.toggle("flash", state.highlight === keyOf(now));
}

function renderRecent() {
  const names = state.screen.agency_names;
  el("recent").innerHTML = state.calls
    .slice(0, RECENT)
    .map(
      (c, i) => `<tr class="${i === 0 ? "newest" : ""} ${c.status === "in_service" ? "served" : ""}">
        <td class="t" dir="ltr">${esc(c.ticket)}</td>
        <td class="r">${esc(roomIn("de", c))}${names && c.agency ? `<span class="a">${esc(agencyName(c.agency))}</span>` : ""}</td></tr>`,
    )
    .join("");
  document.body.classList.toggle("rooms-only", !names);
}


function renderWaits() {
  // Agencies with an open desk first (in the center's order): their waits matter now.
  const open = (a) => a.open_desks > 0 && a.wait_min !== null;
  const sorted = [...state.waits.filter(open), ...state.waits.filter((a) => !open(a))];
  el("agencies").innerHTML = sorted
    .map((a) => {
      const range = open(a)
        ? `<span class="range" data-testid="range"><svg class="icon" aria-hidden="true"><use href="#i-clock"/></svg>${esc(t("de", "dWaitRange", { min: a.wait_min, max: a.wait_max }))}</span>`
        : `<span class="range closed" data-testid="range"><svg class="icon" aria-hidden="true"><use href="#i-closed"/></svg>${esc(t("de", "dNoDesk"))}<span class="en" lang="en">${esc(t("en", "dNoDesk"))}</span></span>`;
      const count = String(a.waiting); // the column's heading says "waiting"
      return `<li class="agency-wait ${open(a) ? "" : "is-closed"}" data-agency="${esc(a.agency)}">
        <span class="name">${esc(agencyName(a.agency))}</span>
        <span class="count" data-testid="count" title="${esc(`${t("de", "dWaiting")} · ${t("en", "dWaiting")}`)}"><svg class="icon" aria-hidden="true"><use href="#i-people"/></svg>${esc(count)}</span>
        ${range}</li>`;
    })
    .join("");
}

function renderDoor() {
  const code = setup.desk;
  const desk = state.desks.find((d) => d.code === code);
  const here = state.calls.find((c) => c.desk === code && (c.status === "called" || c.status === "in_service"));
  el("door-room").textContent = desk ? roomIn("de", desk) : code;
  el("door-agency").textContent = desk && state.screen.agency_names ? agencyName(desk.agency) : "";
  let body;
  if (here) {
    body = `<p class="door-label">${esc(t("de", "dDoorNow"))} <span lang="en">· ${esc(t("en", "dDoorNow"))}</span></p>
      <p class="door-ticket" id="door-ticket" dir="ltr">${esc(here.ticket)}</p>`;
  } else if (desk && desk.state !== "open") {
    const [de, en] = desk.state === "paused" ? DE_EN("dDoorPaused") : DE_EN("dDoorClosed");
    body = `<p class="door-state" id="door-state">${esc(de)} <span lang="en">· ${esc(en)}</span></p>`;
  } else {
    body = `<p class="door-wait">${esc(t("de", "dDoorWait"))}<br><span lang="en">${esc(t("en", "dDoorWait"))}</span></p>`;
  }
  el("door-now").innerHTML = body;
  el("door-now").classList.toggle("flash", Boolean(here) && state.highlight === keyOf(here));
}

function render() {
  if (setup.desk) renderDoor();
  else {
    renderNow();
    renderRecent();
    renderWaits();
  }
  el("waiting-count").textContent = state.waiting === null ? "–" : String(state.waiting);
  if (state.centerName) el("center-name").textContent = state.centerName;
  el("offline").hidden = !state.offline;
  document.body.classList.toggle("is-offline", state.offline);
  document.body.dataset.live = state.live;
}

// ---------------------------------------------------------------- state --------------
const keyOf = (c) => `${c.ticket}@${c.desk}`;

function applySnapshot(data) {
  if (!data || !Array.isArray(data.calls)) return;
  if (data.date && data.date !== state.day) {
    state.day = data.date;
    state.known.clear();
    feed?.reset(); // a new day counts from 1 again
  }
  feed?.advance(data.seq); // a reconnect resumes after what this state already shows
  if (data.center?.name) state.centerName = data.center.name;
  const fresh = data.calls.filter((c) => c.status === "called" && !state.known.has(keyOf(c)));
  state.calls = data.calls;
  state.waiting = Array.isArray(data.waiting) ? data.waiting.length : state.waiting;
  if (Array.isArray(data.agencies)) state.waits = data.agencies;
  if (Array.isArray(data.desks)) state.desks = data.desks;
  if (data.screen) state.screen = data.screen;
  if (Array.isArray(data.languages) && data.languages[0]) state.defaultLanguage = data.languages[0];
  const firstLoad = !state.loaded;
  state.loaded = true;
  data.calls.forEach((c) => state.known.add(keyOf(c)));
  if (!firstLoad && fresh.length > 0) announce(fresh[0]);
  render();
}

function fromEvent(data) {
  const visit = data?.visit ?? {};
  const ticket = visit.ticket ?? data?.ticket;
  if (!ticket) return null;
  return {
    ticket,
    status: "called",
    language: visit.language ?? data.language ?? null,
    desk: data.desk ?? visit.current?.desk ?? null,
    room: data.room ?? visit.current?.room ?? null,
    room_labels: data.room_labels ?? visit.current?.room_labels ?? null,
    agency: data.agency ?? visit.current?.agency ?? null,
  };
}

function applyEvent(message) {
  if (message.type === "visit.called" || message.type === "visit.recalled") {
    const entry = fromEvent(message.data);
    if (entry) {
      state.calls = [entry, ...state.calls.filter((c) => c.ticket !== entry.ticket)];
      state.known.add(keyOf(entry));
      announce(entry);
      render();
    }
  }
  feed.refresh(); // the snapshot endpoint has the exact state (waiting count, who is served)
}

function onSnapshot(message) {
  if (message.data && Array.isArray(message.data.calls)) applySnapshot(message.data);
  else feed.refresh();
}

// ---------------------------------------------------------------- announce -----------
// One AudioContext plays the chime and the server's spoken calls, one call after another.
// Chromium lets a page play sound without a touch only with
// --autoplay-policy=no-user-gesture-required (README: an unattended TV); without it the
// context stays suspended and the screen says "sound blocked" until someone touches it.
let audio = null;
function audioContext() {
  if (!setup.sound) return null;
  const Ctx = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctx) return null;
  audio ??= new Ctx();
  return audio;
}

async function ready(ctx) {
  if (ctx.state !== "running") await ctx.resume().catch(() => {});
  const running = ctx.state === "running";
  el("sound").hidden = running;
  return running;
}

function chime(ctx) {
  const start = ctx.currentTime + 0.05;
  [659.25, 523.25].forEach((freq, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const t0 = start + i * 0.45;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 1.1);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 1.2);
  });
  return 1.3; // seconds
}

function play(ctx, buffer) {
  return new Promise((resolve) => {
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(ctx.destination);
    source.onended = resolve;
    source.start();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The languages a call is spoken in: the center's default, then the visitor's. */
function spokenLanguages(entry) {
  const langs = [state.defaultLanguage];
  const visitor = entry.language;
  if (state.screen.announce.languages === "visitor" && visitor && !langs.includes(visitor)) {
    langs.push(visitor);
  }
  return langs;
}

async function speech(entry, lang) {
  const query = new URLSearchParams({ ticket: entry.ticket, desk: entry.desk ?? "", lang });
  const record = { ticket: entry.ticket, lang, bytes: 0, played: false };
  played.push(record);
  if (played.length > 20) played.shift();
  try {
    const { data } = await request("GET", `${centerPath()}/announce.wav?${query}`, {
      token: setup.token,
      timeout: 15000,
      binary: true,
    });
    record.bytes = data.byteLength;
    return { record, data };
  } catch (err) {
    record.error = err?.code || err?.kind || "error";
    return { record, data: null };
  }
}

const played = []; // the last calls' audio (tests and support staff)
let queue = Promise.resolve();
function sayCall(entry) {
  const { chime: ring, speak } = state.screen.announce;
  const ctx = audioContext();
  if (!ctx || (!ring && !speak) || !entry.desk) return;
  queue = queue.then(async () => {
    // Fetch while the chime plays: the server renders a new text in well under a second.
    const fetched = speak ? spokenLanguages(entry).map((lang) => speech(entry, lang)) : [];
    const running = await ready(ctx);
    if (running && ring) await sleep(chime(ctx) * 1000);
    for (const pending of fetched) {
      const { record, data } = await pending;
      if (!data || !running) continue;
      try {
        const buffer = await ctx.decodeAudioData(data);
        await play(ctx, buffer);
        record.played = true;
        await sleep(400);
      } catch {
        record.error = "decode";
      }
    }
  });
}

let flashTimer = null;
function announce(entry) {
  state.highlight = keyOf(entry);
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    state.highlight = null;
    render();
  }, 8000);
  if (setup.desk) return; // a door sign is silent: the waiting room's screen speaks
  sayCall(entry);
}

function unlockSound() {
  const ctx = audioContext();
  ctx?.resume?.().then(() => {
    el("sound").hidden = ctx.state === "running";
  }).catch(() => {});
}
window.addEventListener("pointerdown", unlockSound);
window.addEventListener("keydown", unlockSound);

// ---------------------------------------------------------------- network ------------
const centerPath = () => `/api/v1/centers/${encodeURIComponent(setup.slug)}`;

/** The feed's poll: the whole display state over HTTP (throws when it gets no answer). */
async function poll() {
  const { data } = await request("GET", `${centerPath()}/display`, {
    token: setup.token,
    timeout: 8000,
  });
  applySnapshot(data);
}

async function loadAgencies() {
  try {
    const { data: today } = await request("GET", `${centerPath()}/today`, { timeout: 8000 });
    const names = { ...(today.agency_names ?? {}) };
    for (const a of today.agencies ?? []) if (a && typeof a === "object") names[a.code] = a.name;
    state.agencies = names;
    state.centerName = today.center?.name ?? state.centerName;
    state.timeZone = today.center?.timezone ?? state.timeZone;
    render();
    tick();
  } catch {
    /* names are a nicety: codes are shown meanwhile */
  }
}

// ---------------------------------------------------------------- clock & ticker -----
function tick() {
  // The center's time, not the TV's: a screen's clock is often set to UTC.
  const options = { hour: "2-digit", minute: "2-digit" };
  if (state.timeZone) options.timeZone = state.timeZone;
  el("clock").textContent = new Date().toLocaleTimeString("de-DE", options);
}

let tickerIndex = 0;
function rotateTicker() {
  const langs = SCREEN_LANGUAGES;
  const lang = langs[tickerIndex % langs.length];
  tickerIndex += 1;
  const ticker = el("ticker");
  ticker.lang = lang;
  ticker.dir = RTL.has(lang) ? "rtl" : "ltr";
  ticker.textContent = say(lang, "dWatch");
}

// ---------------------------------------------------------------- start --------------
/** The screen's headings from the catalogue: German, English beside it. */
function label(id, key) {
  const node = el(id);
  if (!node) return;
  const [de, en] = DE_EN(key);
  node.innerHTML = `${esc(de)} <span lang="en">· ${esc(en)}</span>`;
}

function start() {
  label("now-heading", "dNowCalling");
  label("recent-heading", "dRecent");
  if (setup.desk) {
    document.body.classList.add("door-mode");
    el("board").hidden = true;
    el("door").hidden = false;
  }
  tick();
  setInterval(tick, 10000);
  rotateTicker();
  setInterval(rotateTicker, 6000);
  if (!setup.slug || !setup.token) {
    el("now").innerHTML =
      '<p class="idle-text">Anzeige nicht eingerichtet: ?center=…&amp;token=… fehlt.</p>';
    return;
  }
  loadAgencies();
  setInterval(loadAgencies, 10 * 60000);
  feed = new LiveFeed({
    path: `/ws/centers/${encodeURIComponent(setup.slug)}/display`,
    token: () => setup.token, // the first message, so it never lands in an access log
    poll,
    onSnapshot,
    onEvent: applyEvent,
    onState: (s) => {
      state.live = s;
      render();
    },
    onOffline: (offline) => {
      state.offline = offline;
      render();
    },
    pollEvery: POLL_MS,
    pollEveryLive: 0, // events and snapshots keep it right; the hub sweeps the log
    refreshDelay: 300,
  });
  feed.start();
}

start();

// For tests and support staff: the state of the screen (no secrets).
window.welcomeDisplay = {
  get live() {
    return state.live;
  },
  get seq() {
    return feed?.seq ?? 0;
  },
  get pollOk() {
    return (feed?.failures ?? 0) === 0;
  },
  get offline() {
    return state.offline;
  },
  get audio() {
    return played.map((p) => ({ ...p }));
  },
  get sound() {
    return audio?.state ?? "none";
  },
};
