// The one catalogue of visitor-facing strings: kiosk, phone page and waiting-room screen
// (served at /static/i18n.js). One file per language in ./i18n/<lang>.js, each with its
// REVIEW note; REVIEW_PENDING lists the languages still awaiting a native speaker.
// Placeholders: {name}; values put into a right-to-left sentence are isolated with
// U+2068…U+2069 (FSI…PDI) so a Latin ticket or room number cannot reorder it.
// Counted strings have a form per Intl.PluralRules category: tn(lang, key, count).
// Missing keys fall back to English, then German (tests/web check none is missing).

import { readable } from "./html.js";
import ar, { REVIEW as arReview } from "./i18n/ar.js";
import de, { REVIEW as deReview } from "./i18n/de.js";
import en, { REVIEW as enReview } from "./i18n/en.js";
import fa, { REVIEW as faReview } from "./i18n/fa.js";
import ro, { REVIEW as roReview } from "./i18n/ro.js";
import ru, { REVIEW as ruReview } from "./i18n/ru.js";
import tr, { REVIEW as trReview } from "./i18n/tr.js";
import uk, { REVIEW as ukReview } from "./i18n/uk.js";

export const LANGUAGE_NAMES = {
  de: "Deutsch",
  en: "English",
  ar: "العربية",
  uk: "Українська",
  ru: "Русский",
  tr: "Türkçe",
  fa: "فارسی / دری",
  ro: "Română",
  pl: "Polski",
  ku: "Kurdî",
  ti: "ትግርኛ",
};

export const RTL = new Set(["ar", "fa", "he", "ur", "ps", "ckb"]);

// Which residence statuses the kiosk offers comes from the server (GET today,
// `residence_statuses`); the labels live here, keyed by code: `status_<code>` in
// STRINGS, and the German name of each status (it is what the visitor's document says).
export const STATUS_GERMAN = {
  recognised: "Anerkennung als Flüchtling / Asyl",
  subsidiary: "Subsidiärer Schutz",
  humanitarian: "Aufenthaltserlaubnis aus humanitären Gründen",
  asylum_pending: "Aufenthaltsgestattung / Ankunftsnachweis",
  tolerated: "Duldung",
  opportunity: "Chancen-Aufenthaltsrecht",
  skilled_worker: "Aufenthaltserlaubnis zur Beschäftigung",
  student: "Aufenthalt für Studium oder Ausbildung",
  family: "Familiennachzug",
  eu: "EU-Freizügigkeit",
  settled: "Niederlassungserlaubnis",
  other: "Anderer Aufenthaltstitel",
  unknown: "",
};

export const STRINGS = { de, en, ar, uk, ru, tr, fa, ro };

/** Which languages still await a native speaker's review, and what each note says. */
export const REVIEW = {
  de: deReview,
  en: enReview,
  ar: arReview,
  uk: ukReview,
  ru: ruReview,
  tr: trReview,
  fa: faReview,
  ro: roReview,
};
export const REVIEW_PENDING = Object.keys(REVIEW).filter((lang) => /awaiting/.test(REVIEW[lang]));

const FSI = "\u2068";
const PDI = "\u2069";

function lookup(lang, key) {
  return STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? STRINGS.de[key] ?? key;
}

function fill(lang, text, vars) {
  const rtl = isRtl(lang);
  return text.replace(/\{(\w+)\}/g, (m, name) => {
    if (!(name in vars)) return m;
    const value = String(vars[name]);
    return rtl ? `${FSI}${value}${PDI}` : value;
  });
}

/** A UI string in `lang`, falling back to English, then German, then the key. */
export function t(lang, key, vars = {}) {
  const text = lookup(lang, key);
  return fill(lang, typeof text === "string" ? text : (text.other ?? key), vars);
}

/** A counted string: the form Intl.PluralRules picks for `count` in `lang`. */
export function tn(lang, key, count, vars = {}) {
  const forms = lookup(lang, key);
  if (typeof forms === "string") return fill(lang, forms, vars);
  let category = "other";
  try {
    category = new Intl.PluralRules(lang).select(count);
  } catch {
    /* an unknown language: "other" */
  }
  return fill(lang, forms[category] ?? forms.other ?? key, vars);
}

/** A residence status in `lang`; a code without a label reads as words, not as a key. */
export function statusLabel(lang, code) {
  const key = `status_${code}`;
  return STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? STRINGS.de[key] ?? readable(code);
}

/** The status's German name as printed on the document, or "". */
export function statusGerman(code) {
  return STATUS_GERMAN[code] ?? "";
}

export function isRtl(lang) {
  return RTL.has(lang);
}

/** Gregorian calendar and Latin digits: dates and times match the signs in the center. */
function locale(lang) {
  return `${lang}-u-ca-gregory-nu-latn`;
}

export function formatDate(lang, iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  try {
    return new Intl.DateTimeFormat(locale(lang), {
      weekday: "long",
      day: "numeric",
      month: "long",
      timeZone: "UTC",
    }).format(date);
  } catch {
    return iso;
  }
}

export function formatTime(lang, date, timeZone) {
  try {
    return new Intl.DateTimeFormat(locale(lang), {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23", // 14:30 everywhere, as on the buttons and the signs
      timeZone,
    }).format(date);
  } catch {
    return date.toTimeString().slice(0, 5);
  }
}

/** A label object {de, en, ...} in `lang`, with the usual fallbacks. */
export function pick(labels, lang) {
  if (!labels || typeof labels !== "object") return labels ?? "";
  return labels[lang] ?? labels.en ?? labels.de ?? Object.values(labels)[0] ?? "";
}

/** Agency names by code from GET /today: `agency_names`, or agencies given as objects. */
export function agencyNames(today) {
  const names = { ...(today?.agency_names ?? {}) };
  for (const a of today?.agencies ?? []) {
    if (a && typeof a === "object" && a.code) names[a.code] = a.name;
  }
  return names;
}
