// The waiting-room screen: the newest call large (German and the visitor's language),
// recent calls, the waiting count. Tickets, rooms and agencies only: never a name.
// Live over /ws/centers/{slug}/display (API.md §4); polls GET .../display every 3 s
// whenever the live channel is not open, and shows "offline" when neither answers.

import { request } from "/static/api.js";
import { deviceSetup } from "/static/device.js";
import { esc } from "/static/html.js";
import { LiveFeed } from "/static/live.js";

const POLL_MS = 3000;
const RECENT = 8;
const STORE = { token: "wc.display.token", center: "wc.display.center" };

// The call in the visitor's language. Translations should be reviewed by native speakers.
const CALL = {
  de: "Nummer {ticket}: bitte zu {room}",
  en: "Number {ticket}: please go to {room}",
  ar: "الرقم {ticket}: يرجى التوجه إلى {room}",
  uk: "Номер {ticket}: будь ласка, пройдіть до: {room}",
  ru: "Номер {ticket}: пожалуйста, пройдите: {room}",
  tr: "Numara {ticket}: lütfen şuraya gidin: {room}",
  fa: "شماره {ticket}: لطفاً به {room} بروید",
  ro: "Numărul {ticket}: vă rugăm să mergeți la {room}",
};
const ROOM_WORD = {
  de: "Raum",
  en: "Room",
  ar: "الغرفة",
  uk: "Кімната",
  ru: "Кабинет",
  tr: "Oda",
  fa: "اتاق",
  ro: "Camera",
};
const SPEECH = {
  de: "Nummer {ticket}, bitte zu {room}.",
  en: "Number {ticket}, please go to {room}.",
};
const WATCH = {
  de: "Bitte achten Sie auf Ihre Nummer.",
  en: "Please watch for your number.",
  ar: "يرجى الانتباه إلى رقمك.",
  uk: "Будь ласка, стежте за своїм номером.",
  ru: "Пожалуйста, следите за своим номером.",
  tr: "Lütfen numaranızı takip edin.",
  fa: "لطفاً به شماره خود توجه کنید.",
  ro: "Vă rugăm să urmăriți numărul dumneavoastră.",
};
const RTL = new Set(["ar", "fa", "he", "ur", "ps", "ckb"]);

// ---------------------------------------------------------------- setup --------------
function readSetup() {
  const { slug, token, params } = deviceSetup(STORE);
  return { slug, token, speak: params.get("speak") === "1", sound: params.get("sound") !== "0" };
}

const setup = readSetup();
const el = (id) => document.getElementById(id);

const state = {
  day: null,
  calls: [], // newest first: {ticket, status, language, desk, room, room_labels, agency}
  waiting: null,
  agencies: {},
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
  if (number && ROOM_WORD[lang]) return `${ROOM_WORD[lang]} ${number[1]}`;
  return labels.en ?? base;
}

function agencyName(code) {
  const names = state.agencies[code];
  return names?.de ?? names?.en ?? code ?? "";
}

function phrase(lang, entry) {
  const template = CALL[lang] ?? CALL.en;
  return esc(template)
    .replace("{ticket}", `<bdi dir="ltr">${esc(entry.ticket)}</bdi>`)
    .replace("{room}", `<bdi>${esc(roomIn(lang, entry))}</bdi>`);
}

// ---------------------------------------------------------------- rendering ----------
function renderNow() {
  const now = state.calls[0];
  const box = el("now");
  if (!now) {
    box.innerHTML = `<p class="idle-text">${esc(WATCH.de)}</p>`;
    return;
  }
  const lang = now.language && now.language !== "de" ? now.language : null;
  box.innerHTML = `
    <p class="big" data-testid="now">
      <span class="ticket" id="now-ticket" dir="ltr">${esc(now.ticket)}</span>
      <span class="arrow" aria-hidden="true">→</span>
      <span class="room" id="now-room">${esc(roomIn("de", now))}</span>
    </p>
    ${now.agency ? `<p class="agency">${esc(agencyName(now.agency))}</p>` : ""}
    ${lang ? `<p class="translated" lang="${esc(lang)}" dir="${RTL.has(lang) ? "rtl" : "ltr"}">${phrase(lang, now)}</p>` : ""}`;
  box.classList.toggle("flash", state.highlight === keyOf(now));
}

function renderRecent() {
  el("recent").innerHTML = state.calls
    .slice(0, RECENT)
    .map(
      (c, i) => `<tr class="${i === 0 ? "newest" : ""} ${c.status === "in_service" ? "served" : ""}">
        <td class="t" dir="ltr">${esc(c.ticket)}</td>
        <td>${esc(roomIn("de", c))}</td>
        <td class="a">${esc(agencyName(c.agency))}</td></tr>`,
    )
    .join("");
}

function render() {
  renderNow();
  renderRecent();
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
let audio = null;
function audioContext() {
  if (!setup.sound) return null;
  const Ctx = window.AudioContext ?? window.webkitAudioContext;
  if (!Ctx) return null;
  audio ??= new Ctx();
  return audio;
}

function chime() {
  const ctx = audioContext();
  if (!ctx) return;
  if (ctx.state === "suspended") {
    ctx.resume().catch(() => {});
    el("sound").hidden = false; // the browser waits for a first touch before it plays
  }
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
}

function speak(entry) {
  if (!setup.speak || !window.speechSynthesis) return;
  const voices = speechSynthesis.getVoices();
  const say = (lang, template) => {
    const voice = voices.find((v) => v.lang?.toLowerCase().startsWith(lang));
    if (!voice) return;
    const u = new SpeechSynthesisUtterance(
      template.replace("{ticket}", entry.ticket.split("").join(" ")).replace("{room}", roomIn(lang, entry)),
    );
    u.voice = voice;
    u.lang = voice.lang;
    speechSynthesis.speak(u);
  };
  say("de", SPEECH.de);
  if (entry.language && entry.language !== "de") {
    const template = (CALL[entry.language] ?? SPEECH.en).replace(/\{ticket\}:/, "{ticket},");
    say(entry.language, template);
  }
}

let flashTimer = null;
function announce(entry) {
  state.highlight = keyOf(entry);
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    state.highlight = null;
    render();
  }, 8000);
  chime();
  setTimeout(() => speak(entry), 1200);
}

function unlockSound() {
  audio?.resume?.().catch(() => {});
  el("sound").hidden = true;
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
  const langs = Object.keys(WATCH);
  const lang = langs[tickerIndex % langs.length];
  tickerIndex += 1;
  const ticker = el("ticker");
  ticker.lang = lang;
  ticker.dir = RTL.has(lang) ? "rtl" : "ltr";
  ticker.textContent = WATCH[lang];
}

// ---------------------------------------------------------------- start --------------
function start() {
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
};
