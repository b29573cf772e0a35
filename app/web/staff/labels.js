// Names and times from the day's configuration (GET /api/v1/centers/{slug}/today), in
// the screen's language: agencies, needs, rooms; clock times in the center's time zone.

import { formatDate, formatTime, pick } from "/static/i18n.js";
import { lang } from "./strings.js";

let today = null;

export function setToday(data) {
  today = data;
}

export const getToday = () => today;

/** The center's IANA zone; the browser's own only while today is unknown. */
export const timeZone = () => today?.center?.timezone ?? undefined;

/** HH:MM of an ISO timestamp, in the center's zone (a desk PC's clock zone may differ). */
export function clock(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return formatTime(lang(), date, timeZone());
}

/** A YYYY-MM-DD date as a weekday and date in the screen's language. */
export const dateLabel = (iso) => (iso ? formatDate(lang(), iso) : "");

export function agencyName(code) {
  const names = { ...(today?.agency_names ?? {}) };
  for (const a of today?.agencies ?? []) if (a && typeof a === "object" && a.code) names[a.code] = a.name;
  const label = pick(names[code], lang());
  return label || String(code ?? "");
}

/** Codes of today's agencies, in configuration order. */
export function presentAgencies() {
  return (today?.agencies ?? []).map((a) => (a && typeof a === "object" ? a.code : a));
}

export function needName(code) {
  const need = today?.needs?.find((n) => n.code === code);
  return pick(need?.label, lang()) || String(code ?? "");
}

export const needs = () => today?.needs ?? [];

/** A room from its labels in the screen's language, else the given fallback. */
export function roomName(labels, fallback = "") {
  return (labels && pick(labels, lang())) || fallback || "";
}
