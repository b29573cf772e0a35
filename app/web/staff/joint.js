// Joint consultations at this desk: the banner of requests to answer (with a short
// tone, made by the Web Audio API: no audio file) and of this desk's own open requests.

import { esc } from "/static/html.js";
import { agencyName, clock } from "./labels.js";
import { t } from "./strings.js";

/** Requests this desk may answer now: asked of its agency (any desk) or of it by name. */
export function incoming(requests, desk) {
  return requests.filter(
    (r) =>
      r.status === "requested" &&
      r.host_desk !== desk.code &&
      r.agency === desk.agency &&
      (r.desk === null || r.desk === undefined || r.desk === desk.code),
  );
}

/** This desk's own requests still waiting for an answer. */
export function outgoing(requests, desk) {
  return requests.filter((r) => r.status === "requested" && r.host_desk === desk.code);
}

export function bannerHtml(requests, desk) {
  const asked = incoming(requests, desk).map((r, i) => {
    const keys = i === 0;
    const detail = [r.reason ? t("jointReason", { reason: r.reason }) : "", t("jointLapses", { time: clock(r.lapses_at) })]
      .filter(Boolean)
      .join(" · ");
    return `<div class="banner-row incoming" data-testid="joint-request" data-request="${esc(r.id)}">
      <p><strong>${esc(t("jointIncoming", { agency: agencyName(r.host_agency), room: r.host_room, ticket: r.ticket }))}</strong>
      <span class="banner-detail">${esc(detail)}</span></p>
      <div class="banner-actions">
        <button type="button" class="btn primary" data-joint-accept="${esc(r.id)}">${esc(t("a_accept"))}${keys ? " <kbd>A</kbd>" : ""}</button>
        <button type="button" class="btn" data-joint-decline="${esc(r.id)}">${esc(t("a_decline"))}${keys ? " <kbd>D</kbd>" : ""}</button>
      </div></div>`;
  });
  const mine = outgoing(requests, desk).map(
    (r, i) => `<div class="banner-row outgoing" data-testid="joint-outgoing">
      <p>${esc(t("jointOutgoing", { agency: r.desk ? `${agencyName(r.agency)} (${r.desk})` : agencyName(r.agency), ticket: r.ticket, time: clock(r.lapses_at) }))}</p>
      <div class="banner-actions">
        <button type="button" class="btn" data-joint-withdraw="${esc(r.id)}">${esc(t("a_withdraw"))}${i === 0 ? " <kbd>Z</kbd>" : ""}</button>
      </div></div>`,
  );
  return [...asked, ...mine].join("");
}

let audio = null;

/** Let the tone play later: browsers start audio only after a user's click or key. */
export function unlockSound() {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null; // no Web Audio: the banner still shows
  }
}

/** Two short rising beeps (about 0.4 s), quiet enough for an office. */
export function tone() {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime + 0.02;
    for (const [offset, freq] of [
      [0, 660],
      [0.2, 880],
    ]) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    }
    window.dispatchEvent(new CustomEvent("staff-tone")); // tests can count tones
  } catch {
    /* no sound: the banner is the signal */
  }
}
