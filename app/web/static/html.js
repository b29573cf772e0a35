// Text into HTML, shared by every front end (served at /static/html.js).
// Pages build markup with template strings: every value from the server or the
// visitor goes through esc(), so a ticket, a town or a staff note can never become markup.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** The value as HTML text (also safe inside a quoted attribute); null and undefined → "". */
export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/**
 * A code the catalogue has no label for, in a form a person can read:
 * "skilled_worker" → "Skilled worker". A new code from the server shows up
 * readable on every screen before anyone translates it.
 */
export function readable(code) {
  const words = String(code ?? "").replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "";
}
