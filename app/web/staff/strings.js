// UI strings of the staff desk screen: German first, English available. The same
// format as the visitors' catalogue (/static/i18n.js): one file per language in
// ./i18n/<lang>.js with its REVIEW note and the strings as its default export,
// placeholders {name}. Every key exists in both languages (tests/web/test_desk_strings.py);
// a missing key falls back to German, never to the key itself on screen.

import de, { REVIEW as deReview } from "./i18n/de.js";
import en, { REVIEW as enReview } from "./i18n/en.js";

export const UI_LANGUAGES = ["de", "en"];
const LANG_KEY = "wc.staff.lang";

export const STRINGS = { de, en };
export const REVIEW = { de: deReview, en: enReview };

function stored() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

let current = UI_LANGUAGES.includes(stored()) ? stored() : "de";

export const lang = () => current;

/** Switch the screen's language and remember it on this PC. */
export function setLang(code) {
  if (!UI_LANGUAGES.includes(code)) return;
  current = code;
  try {
    localStorage.setItem(LANG_KEY, code);
  } catch {
    /* storage off: this page view still switches */
  }
}

/** A UI string in the current language; a missing key falls back to German. */
export function t(key, vars = {}) {
  const text = STRINGS[current]?.[key] ?? STRINGS.de[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A label from a closed list by code (lang_ar, res_tolerated, st_pending); an unknown
 * code shows as the code itself, never as a key or another language's word. */
function label(prefix, code) {
  const key = `${prefix}${code}`;
  return STRINGS[current]?.[key] ?? STRINGS.de[key] ?? String(code ?? "");
}
export const languageName = (code) => label("lang_", code);
export const residenceName = (code) => label("res_", code);
export const stepStatusName = (code) => label("st_", code);

/** Static texts of the page: data-i18n="key" (text), data-i18n-label="key" (aria-label), data-i18n-title. */
export function applyStatic(root = document) {
  document.documentElement.lang = current;
  document.title = t("pageTitle");
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
  }
  for (const node of root.querySelectorAll("[data-i18n-title]")) {
    node.setAttribute("title", t(node.dataset.i18nTitle));
  }
}
