// The visitor at this desk: the visitor card (GET /api/v1/desks/{code}/visits/{id})
// as the desk's compartment allows it. Hidden fields arrive as null and are left out,
// never shown as "null"; times are the center's.

import { esc } from "/static/html.js";
import { agencyName, clock, dateLabel, needName, roomName } from "./labels.js";
import { needsInterpreter, referralText } from "./queue.js";
import { languageName, residenceName, t } from "./strings.js";

const BUSY = ["called", "in_service"];
const given = (v) => v !== null && v !== undefined && v !== "";

/** This desk's called or in-service steps of a visit. */
export function ownSteps(visit, deskCode) {
  return (visit?.steps ?? []).filter((s) => s.desk === deskCode && BUSY.includes(s.status));
}

/** What this desk may do with its visitor now: the page enables its buttons by it. */
export function situation(desk, deskCode) {
  const visit = desk?.current ?? null;
  const here = ownSteps(visit, deskCode);
  const guestStep = here.find((s) => s.joint_host && s.joint_host !== deskCode);
  return {
    visit,
    here,
    called: here.some((s) => s.status === "called"),
    serving: here.some((s) => s.status === "in_service"),
    guest: Boolean(guestStep),
    host: Boolean(visit && visit.current?.desk === deskCode),
    jointWith: visit?.current?.desk === deskCode ? (visit.current.joint_with ?? []) : [],
  };
}

function statusLine(sit, card, deskCode) {
  const { visit } = sit;
  const cardStep = card?.steps?.find((s) => s.desk === deskCode && BUSY.includes(s.status));
  if (sit.guest) {
    const room = roomName(visit.current?.room_labels, visit.current?.room);
    return t("jointGuest", { agency: agencyName(visit.current?.agency), room });
  }
  let line;
  if (sit.serving) {
    const since = clock(cardStep?.started_at);
    line = since ? t("inServiceSince", { time: since }) : t("inService");
  } else {
    line = t("calledAt", { time: clock(cardStep?.called_at ?? visit.current?.called_at) || t("none") });
  }
  if (sit.jointWith.length) {
    line += ` · ${t("jointWith", { agencies: sit.jointWith.map(agencyName).join(", ") })}`;
  }
  return line;
}

function facts(v) {
  const rows = [
    ["f_language", languageName(v.language)],
    ["f_leave_by", v.leave_by],
    ["f_children", v.priority?.children ? t("yes") : null],
    ["f_accessibility", v.priority?.accessibility ? t("yes") : null],
    ["f_residence", given(v.residence_status) ? residenceName(v.residence_status) : null],
    ["f_town", v.municipality],
    ["f_age", v.age],
    ["f_invitation", v.invitation_code],
    ["f_consent", v.consent_share ? t("consentYes") : t("consentNo")],
  ];
  return rows
    .filter(([, value]) => given(value))
    .map(([key, value]) => `<dt>${esc(t(key))}</dt><dd>${esc(value)}</dd>`)
    .join("");
}

function offices(card, desk, together = []) {
  // Without consent the desk sees only its own steps: "nothing ahead" would be a guess.
  if (!card || !["shared", "admin"].includes(card.compartment)) return "";
  const done = (card.done ?? []).map(agencyName);
  // Ahead: still to come, so not this desk's agency nor one consulting together now.
  const ahead = (card.ahead ?? []).filter((a) => a !== desk.agency && !together.includes(a)).map(agencyName);
  return `<dl class="facts offices">
    <dt>${esc(t("officesDone"))}</dt><dd data-testid="offices-done">${esc(done.join(", ") || t("none"))}</dd>
    <dt>${esc(t("officesAhead"))}</dt><dd data-testid="offices-ahead">${esc(ahead.join(", ") || t("none"))}</dd>
  </dl>`;
}

function notes(card) {
  const written = (card?.steps ?? []).filter((s) => given(s.note));
  if (!written.length) return "";
  const items = written
    .map((s) => {
      const by = t("noteBy", { agency: agencyName(s.agency), time: clock(s.ended_at) || t("none") });
      return `<li><span class="muted">${esc(by)} · ${esc(needName(s.need))}:</span> ${esc(s.note)}</li>`;
    })
    .join("");
  return `<h3>${esc(t("notes"))}</h3><ul class="notes">${items}</ul>`;
}

function unavailable(card) {
  const list = card?.unavailable ?? [];
  if (!list.length) return "";
  const items = list
    .map((u) => {
      const when = u.next_date ? t("nextDate", { date: dateLabel(u.next_date) }) : t("noNextDate");
      return `<li>${esc(needName(u.need))} <span class="muted">(${esc(when)})</span></li>`;
    })
    .join("");
  return `<h3>${esc(t("unavailable"))}</h3><ul class="notes">${items}</ul>`;
}

function conference(card) {
  if (!card) return "";
  const flag = card.case_conference
    ? `<span class="tag on" data-testid="conference">${esc(t("conferenceOn"))}</span>`
    : "";
  if (!card.consent_share) return flag ? `<p>${flag}</p>` : "";
  const note = given(card.shared_note)
    ? `<p class="shared-note" data-testid="shared-note">${esc(card.shared_note)}</p>`
    : `<p class="muted">${esc(t("noSharedNote"))}</p>`;
  return `<h3>${esc(t("sharedNote"))} ${flag}</h3>${note}`;
}

/** The current visit as HTML (the card when loaded, else the desk status's visit). */
export function currentHtml(desk, card, deskCode, next = null) {
  const sit = situation(desk, deskCode);
  if (!sit.visit) {
    const hint = next
      ? `<p class="next-up" data-testid="next-up">${esc(
          t("nextUp", { ticket: next.ticket, needs: (next.needs_here ?? []).map(needName).join(", ") }),
        )}</p>`
      : "";
    return `<p class="muted">${esc(t("nobodyCalled"))}</p>${hint}`;
  }
  const visit = card && card.id === sit.visit.id ? { ...sit.visit, ...card } : sit.visit;
  const cardHere = card && card.id === sit.visit.id ? card : null;
  const hereSteps = sit.here.map((s) => {
    const full = cardHere?.steps?.find((c) => c.need === s.need && c.desk === s.desk) ?? s;
    const referral = full.referred_by
      ? ` <span class="referral">${esc(referralText({ by_agency: full.referred_by, reason: full.referral_reason }))}</span>`
      : "";
    return `<li>${esc(needName(s.need))}${referral}</li>`;
  });
  const interp = needsInterpreter(visit.language, desk)
    ? `<p class="hint" data-testid="interpreter">${esc(
        t("interpreter", {
          language: languageName(visit.language),
          desk: (desk.languages ?? []).map(languageName).join(", "),
        }),
      )}</p>`
    : "";
  const compartment =
    cardHere?.compartment === "own"
      ? `<p class="muted small">${esc(t("compartmentOwn"))}</p>`
      : cardHere?.compartment === "none"
        ? `<p class="muted small">${esc(t("compartmentNone"))}</p>`
        : "";
  return `
    <div class="visit-head">
      <p class="ticket" data-testid="current-ticket">${esc(visit.ticket)}</p>
      <p class="status-line" data-testid="status-line">${esc(statusLine(sit, cardHere, deskCode))}</p>
    </div>
    ${interp}
    <h3>${esc(t("needsHere"))}</h3>
    <ul class="needs-here">${hereSteps.join("") || `<li>${esc(t("none"))}</li>`}</ul>
    <dl class="facts">${facts(visit)}</dl>
    ${compartment}
    ${offices(cardHere, desk, [...sit.jointWith, sit.guest ? visit.current?.agency : null].filter(Boolean))}
    ${notes(cardHere)}
    ${unavailable(cardHere)}
    ${conference(cardHere)}
    ${cardHere ? "" : `<p class="muted small">${esc(t("loadingCard"))}</p>`}`;
}
