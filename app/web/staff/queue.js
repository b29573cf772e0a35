// The desk's queue as table rows: who waits, in call order, and why in plain words
// (the API's `why` codes worded here), held visitors greyed with reason and time,
// referrals with the sending agency and its reason, an interpreter hint per visitor.

import { esc } from "/static/html.js";
import { agencyName, clock, needName } from "./labels.js";
import { languageName, t } from "./strings.js";

const minutes = (value) => Math.max(0, Math.round(Number(value) || 0));

/** One `why` entry in the screen's language, or "" for a code this page does not know. */
export function whyText(why, entry) {
  switch (why.code) {
    case "waiting":
      return t("w_waiting", { n: minutes(why.value) });
    case "waited_longest":
      return t("w_waited_longest");
    case "service_left":
      return t("w_service_left", { n: minutes(why.value) });
    case "last_stop":
      return t("w_last_stop");
    case "children":
      return t("w_children");
    case "accessibility":
      return t("w_accessibility");
    case "leaves_in":
      return entry?.leave_by
        ? t("w_leaves_at", { time: entry.leave_by })
        : t("w_leaves_in", { n: minutes(why.value) });
    case "speaks":
      return t("w_speaks", { language: languageName(why.value) });
    default:
      return ""; // a new code: no English word on a German screen, no raw code
  }
}

/** Whether the desk speaks none of the visitor's languages. */
export function needsInterpreter(language, desk) {
  const spoken = desk?.languages ?? [];
  return Boolean(language) && spoken.length > 0 && !spoken.includes(language);
}

export function holdReason(code) {
  const key = `h_${code}`;
  const text = t(key);
  return text === key ? t("h_other") : text;
}

export function referralText(referral) {
  if (!referral) return "";
  const agency = agencyName(referral.by_agency);
  return referral.reason
    ? t("referredByReason", { agency, reason: referral.reason })
    : t("referredBy", { agency });
}

function row(entry, desk) {
  const held = !entry.callable || entry.held;
  const interp = needsInterpreter(entry.language, desk)
    ? ` <span class="tag warn-tag">${esc(t("interpreterShort"))}</span>`
    : "";
  const needs = (entry.needs_here ?? []).map((n) => esc(needName(n))).join(", ");
  const referral = entry.referral
    ? `<div class="referral" data-testid="referral">${esc(referralText(entry.referral))}</div>`
    : "";
  let why;
  if (held) {
    const h = entry.held ?? {};
    const parts = [t("heldRow", { reason: holdReason(h.reason) })];
    if (h.until) parts.push(t("heldUntil", { time: clock(h.until) }));
    if (h.note) parts.push(h.note);
    why = `<span class="held-text">${esc(parts.join(" · "))}</span>`;
  } else {
    why = (entry.why ?? [])
      .map((w) => whyText(w, entry))
      .filter(Boolean)
      .map((text) => `<span class="tag">${esc(text)}</span>`)
      .join(" ");
  }
  const release = held
    ? `<button type="button" class="btn small" data-release="${esc(entry.id)}" data-ticket="${esc(entry.ticket)}">${esc(t("a_release"))} <kbd>E</kbd></button>`
    : "";
  return `<tr class="${held ? "held" : ""}" data-visit="${esc(entry.id)}" data-ticket="${esc(entry.ticket)}">
    <td>${esc(entry.position)}</td>
    <td class="t">${esc(entry.ticket)}</td>
    <td>${esc(languageName(entry.language))}${interp}</td>
    <td>${needs}${referral}</td>
    <td class="why">${why}${release ? `<div class="row-action">${release}</div>` : ""}</td></tr>`;
}

export function queueRows(entries, desk) {
  if (!entries.length) return `<tr><td colspan="5" class="muted">${esc(t("queueEmpty"))}</td></tr>`;
  return entries.map((e) => row(e, desk)).join("");
}
