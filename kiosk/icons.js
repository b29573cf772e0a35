// Pictograms for the need tiles: a subset of Lucide (ISC), served from ./icons/ (see
// icons/SOURCE.md). A need names one in the center's config (`icon: briefcase`); a need
// without one, or with a name not here, gets a neutral dot: never a warning sign.
// Drawn as a CSS mask in currentColor, so they follow the theme and the tile's state.

export const ICONS = new Set([
  "a-large-small", "award", "baby", "badge-check", "book-open", "book-user", "briefcase",
  "calendar-days", "circle-dot", "clipboard-list", "clock", "compass", "door-open", "euro",
  "file-check", "file-text", "globe", "graduation-cap", "hand-helping", "handshake",
  "heart-handshake", "hourglass", "house", "id-card", "landmark", "languages", "mail",
  "map-pin", "messages-square", "piggy-bank", "scale", "school", "shield-check", "sprout",
  "stethoscope", "ticket", "user-round", "users", "wallet",
]);

// Names the kiosk drew itself before it used Lucide.
const ALIASES = {
  passport: "book-user",
  clipboard: "clipboard-list",
  people: "users",
  chat: "messages-square",
  certificate: "award",
  book: "book-open",
};

export const NEUTRAL = "circle-dot";

export function iconName(name) {
  const wanted = ALIASES[name] ?? name;
  return ICONS.has(wanted) ? wanted : NEUTRAL;
}

/** A decorative pictogram (the label beside it says what it is). */
export function icon(name) {
  const file = iconName(name);
  // The mask image comes from icons.css by data-icon: no inline style (the CSP has none).
  return `<span class="icon" data-icon="${file}" aria-hidden="true"></span>`;
}
