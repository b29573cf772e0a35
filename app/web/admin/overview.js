// The live overview of the center's day (docs/api.md §10) for administrators and the
// lead. The socket's snapshot is the overview itself; each event after it only means
// "something changed": the page reads GET …/overview again (bursts become one read),
// and every 30 s for the clock's sake (waits and idle minutes grow without events).
// Every number is what the server counted at "as of"; times are the center's own
// (taken from the ISO strings, never the browser's time zone).
import { esc } from "/static/html.js";
import { LiveFeed } from "/static/live.js";
import strings from "./overview.strings.js";
import { startAdmin } from "./shell.js";

const COUNTS = ["checked_in", "waiting", "at_desk", "done", "no_shows", "cancelled"];
const ACTIVITY_BADGE = { serving: "ok", calling: "ok", idle: "warn", paused: "pause", closed: "" };

/** "10:42" from "2026-11-29T10:42:13+01:00": the center's local time as the server wrote it. */
const hhmm = (iso) => (typeof iso === "string" && iso.length >= 16 ? iso.slice(11, 16) : "");

function duration(t, minutes) {
  if (minutes === null || minutes === undefined) return "";
  if (minutes < 60) return t("min", { n: minutes });
  return t("hoursMin", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function agencyName(data, code, lang) {
  const found = data.agencies.find((a) => a.agency === code);
  return found ? found.name[lang] ?? found.name.de ?? Object.values(found.name)[0] ?? code : code;
}

function roomName(desk, lang) {
  return desk.room_labels?.[lang] ?? desk.room;
}

function alertText(alert, data, t, lang) {
  const agency = agencyName(data, alert.agency, lang);
  const base = {
    desk: alert.desk ?? "",
    agency,
    waiting: alert.waiting,
    people: t(alert.waiting === 1 ? "people_one" : "people", { n: alert.waiting }),
    open: alert.open_desks ?? 0,
    available: alert.desks_available ?? 0,
  };
  switch (alert.code) {
    case "desk_idle":
      return alert.idle_minutes
        ? t("a_desk_idle", { ...base, idle: duration(t, alert.idle_minutes) })
        : t("a_desk_idle_new", base);
    case "desk_paused": {
      const since = alert.paused_minutes ? t("a_paused_since", { minutes: duration(t, alert.paused_minutes) }) : "";
      return t("a_desk_paused", { ...base, since });
    }
    case "agency_unstaffed":
      return t("a_agency_unstaffed", base);
    case "queue_past_closing": {
      const text = t("a_queue_past_closing", {
        ...base,
        clears: hhmm(alert.clears_at),
        closes: hhmm(alert.closes),
        work: duration(t, alert.work_minutes),
      });
      let suggestion;
      if (alert.desks_needed === null) suggestion = t("a_suggest_late");
      else if (!alert.desks_available) suggestion = t("a_suggest_none");
      else suggestion = t("a_suggest", { ...base, needed: alert.desks_needed });
      return `${text} ${suggestion}`;
    }
    default:
      return alert.code;
  }
}

/** The server's staffing advice (a prediction from a few simulated days), said inside
 * the queue_past_closing alert it belongs to: the advised agency's, else the first. */
function staffingHtml(data, t, lang) {
  const advice = data.staffing;
  if (!advice) return "";
  const text = t(advice.gain_minutes === 1 ? "a_staffing_one" : "a_staffing", {
    agency: agencyName(data, advice.agency, lang),
    gain: advice.gain_minutes,
    before: advice.mean_time_before,
    after: advice.mean_time_after,
    at: hhmm(advice.computed_at),
  });
  return ` <span class="ov-advice" id="ov-staffing" data-agency="${esc(advice.agency)}">${esc(text)}</span>`;
}

function alertsHtml(data, t, lang) {
  if (!data.alerts.length) return `<p class="ok" id="ov-no-alerts">${esc(t("noAlerts"))}</p>`;
  const past = data.alerts.filter((a) => a.code === "queue_past_closing");
  const host = past.find((a) => a.agency === data.staffing?.agency) ?? past[0];
  const items = data.alerts.map(
    (a) =>
      `<li class="alert${a.severity === "info" ? " notice" : ""}" data-code="${esc(a.code)}" data-desk="${esc(a.desk ?? "")}" data-agency="${esc(a.agency)}">${esc(alertText(a, data, t, lang))}${a === host ? staffingHtml(data, t, lang) : ""}</li>`,
  );
  return `<ul class="ov-alerts">${items.join("")}</ul>`;
}

function countsHtml(data, t) {
  return COUNTS.map(
    (key) =>
      `<li data-count="${key}"><span class="value">${esc(data.counts[key])}</span><span class="label">${esc(t(`c_${key}`))}</span></li>`,
  ).join("");
}

function queuesHtml(data, t, lang) {
  // Agencies with nobody waiting and no desk working are one line at the end: the
  // table keeps what needs looking at.
  const active = (a) => a.waiting > 0 || a.open_desks > 0 || a.paused_desks > 0;
  const shown = data.agencies.filter((a) => active(a));
  const quiet = data.agencies.filter((a) => a.present && !active(a));
  const quietHtml = quiet.length
    ? `<p class="muted small" id="ov-quiet">${esc(t("quietAgencies", { names: quiet.map((a) => a.name[lang] ?? a.name.de ?? a.agency).join(", ") }))}</p>`
    : "";
  if (!shown.length) return `<p class="muted">${esc(t("noQueues"))}</p>${quietHtml}`;
  const rows = shown.map((a) => {
    const name = a.name[lang] ?? a.name.de ?? a.agency;
    const held = a.held ? `<span class="muted small"> · ${esc(t("heldNote", { held: a.held }))}</span>` : "";
    const expected =
      a.wait_min === null ? `<span class="muted">${esc(t("noDesk"))}</span>` : esc(t("range", { min: a.wait_min, max: a.wait_max }));
    const paused = a.paused_desks ? t("desksPaused", { paused: a.paused_desks }) : "";
    const desks = esc(t("desksState", { open: a.open_desks, busy: a.busy_desks }) + paused);
    return `<tr data-agency="${esc(a.agency)}"${a.waiting ? "" : ' class="quiet"'}>
      <th scope="row">${esc(name)}<div class="small muted">${desks}</div></th>
      <td class="num big">${esc(a.waiting)}${held}</td>
      <td class="num nowrap">${esc(a.longest_wait_minutes === null ? "–" : duration(t, a.longest_wait_minutes))}</td>
      <td class="num nowrap">${expected}</td></tr>`;
  });
  return `<div class="table-scroll"><table class="ov-queues">
    <thead><tr><th>${esc(t("agency"))}</th><th class="num">${esc(t("waitingCol"))}</th><th class="num">${esc(t("longest"))}</th><th class="num">${esc(t("expected"))}</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table></div>${quietHtml}`;
}

function desksHtml(data, t, lang) {
  const closed = data.desks.filter((d) => d.state === "closed" && !d.serving);
  const rows = data.desks
    .filter((d) => !closed.includes(d))
    .map((d) => {
      const badge = ACTIVITY_BADGE[d.activity] ?? "";
      let who = "";
      let since = "";
      if (d.serving) {
        who = `<strong class="ticket">${esc(d.serving.ticket)}</strong>`;
        since = duration(t, d.serving.minutes);
      } else if (d.activity === "idle" && d.idle_minutes !== null) {
        since = duration(t, d.idle_minutes);
      }
      const joint = [];
      if (d.joint_host) joint.push(t("jointHost", { desk: d.joint_host }));
      if (d.joint_guests.length) joint.push(t("jointGuests", { desks: d.joint_guests.join(", ") }));
      const jointHtml = joint.length ? `<div class="small">${esc(joint.join(" · "))}</div>` : "";
      return `<tr data-desk="${esc(d.code)}" data-activity="${esc(d.activity)}">
        <th scope="row" class="nowrap">${esc(d.code)} <span class="muted small">${esc(roomName(d, lang))}</span></th>
        <td>${esc(agencyName(data, d.agency, lang))}</td>
        <td class="nowrap"><span class="badge ${badge}">${esc(t(`act_${d.activity}`))}</span>${jointHtml}</td>
        <td>${who}</td>
        <td class="num nowrap">${esc(since)}</td></tr>`;
    });
  const closedHtml = closed.length
    ? `<p class="muted small" id="ov-closed">${esc(t("closedDesks", { desks: closed.map((d) => d.code).join(", ") }))}</p>`
    : "";
  if (!rows.length) return closedHtml;
  return `<div class="table-scroll"><table class="ov-desks">
    <thead><tr><th>${esc(t("desk"))}</th><th>${esc(t("agency"))}</th><th>${esc(t("stateCol"))}</th><th>${esc(t("ticket"))}</th><th class="num">${esc(t("since"))}</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table></div>${closedHtml}`;
}

function leavingHtml(data, t, lang) {
  if (!data.leaving_soon.length) return `<p class="muted">${esc(t("noLeaving"))}</p>`;
  const rows = data.leaving_soon.map((v) => {
    const left = v.minutes_left < 0 ? t("overdue", { minutes: duration(t, -v.minutes_left) }) : duration(t, v.minutes_left);
    const agencies = v.open_agencies.map((code) => agencyName(data, code, lang)).join(", ");
    const here = v.in_service ? ` <span class="badge ok">${esc(t("inService"))}</span>` : "";
    return `<tr data-ticket="${esc(v.ticket)}"${v.minutes_left < 0 ? ' class="late"' : ""}>
      <th scope="row" class="ticket">${esc(v.ticket)}</th><td class="num">${esc(hhmm(v.leave_by))}</td>
      <td class="num nowrap">${esc(left)}</td><td>${esc(agencies)}${here}</td></tr>`;
  });
  return `<table class="ov-leaving"><thead><tr><th>${esc(t("ticket"))}</th><th class="num">${esc(t("leaveBy"))}</th><th class="num">${esc(t("left"))}</th><th>${esc(t("openAgencies"))}</th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>`;
}

function statusHtml(state, t) {
  if (!state.data) return "";
  const asOf = hhmm(state.data.now);
  if (state.offline) return `<span class="badge warn" id="ov-live" data-state="offline">${esc(t("offline", { time: asOf }))}</span>`;
  const live = state.live === "open" ? "ok" : "pause";
  return `<span class="badge ${live}" id="ov-live" data-state="${esc(state.live)}">${esc(t(`live_${state.live}`))}</span> <span class="muted">${esc(t("asOf", { time: asOf }))}</span>`;
}

function draw(main, state, t, lang) {
  const data = state.data;
  if (!data) {
    main.innerHTML = `<h1>${esc(t("title"))}</h1><p class="muted">${esc(state.failed ? t("failed") : t("loading"))}</p>`;
    return;
  }
  const day = data.day
    ? esc(t("hours", { opens: hhmm(data.day.opens), closes: hhmm(data.day.closes) })) + (data.day.site ? ` · ${esc(data.day.site)}` : "")
    : esc(t("noDay"));
  const date = new Date(`${data.date}T12:00:00Z`).toLocaleDateString(lang === "de" ? "de-DE" : "en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
    timeZone: "UTC",
  });
  main.innerHTML = `
    <div class="ov-head">
      <h1>${esc(t("title"))}</h1>
      <span>${esc(date)} · ${day}</span>
      <span class="ov-status">${statusHtml(state, t)}</span>
    </div>
    <ul class="figures ov-counts" id="ov-counts">${countsHtml(data, t)}</ul>
    <section class="card ov-alerts-card" aria-labelledby="ov-alerts-h"><h2 id="ov-alerts-h">${esc(t("alerts"))}</h2><div id="ov-alerts">${alertsHtml(data, t, lang)}</div></section>
    <div class="ov-grid">
      <div class="ov-col">
        <section class="card" aria-labelledby="ov-leaving-h"><h2 id="ov-leaving-h">${esc(t("leaving"))}</h2>${leavingHtml(data, t, lang)}</section>
        <section class="card" aria-labelledby="ov-queues-h"><h2 id="ov-queues-h">${esc(t("queues"))}</h2>${queuesHtml(data, t, lang)}</section>
      </div>
      <section class="card" aria-labelledby="ov-desks-h"><h2 id="ov-desks-h">${esc(t("desks"))}</h2>${desksHtml(data, t, lang)}</section>
    </div>`;
}

startAdmin({
  section: "overview",
  strings,
  render: ({ center, t, lang, main, api }) => {
    if (!center) {
      main.innerHTML = `<h1>${esc(t("title"))}</h1><p class="error" role="alert">${esc(t("noCenter"))}</p>`;
      return;
    }
    const slug = encodeURIComponent(center.slug);
    const state = { data: null, live: "connecting", offline: false, failed: false };
    const show = (data) => {
      state.data = data;
      state.failed = false;
      draw(main, state, t, lang);
    };
    const feed = new LiveFeed({
      path: `/ws/centers/${slug}/overview`,
      // No token: the handshake carries the session cookie (from this page's Origin).
      poll: async () => {
        try {
          const { data } = await api("GET", `/api/v1/centers/${slug}/overview`, { background: true });
          show(data);
          feed.advance(data.seq);
        } catch (err) {
          if (!state.data) {
            state.failed = true;
            draw(main, state, t, lang);
          }
          throw err;
        }
      },
      onSnapshot: (message) => show(message.data),
      onEvent: () => feed.refresh(),
      onState: (s) => {
        state.live = s;
        if (state.data) draw(main, state, t, lang);
      },
      onOffline: (offline) => {
        state.offline = offline;
        if (state.data) draw(main, state, t, lang);
      },
      pollEvery: 5000,
      pollEveryLive: 30000,
      refreshDelay: 300,
    });
    draw(main, state, t, lang);
    feed.start();
  },
});
