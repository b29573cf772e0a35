// Simple pictograms for the need tiles, keyed by a need's `icon` in the center's config.
// Drawn on a 48×48 grid with strokes in currentColor, so they follow the theme.

const PATHS = {
  passport: `
    <rect x="11" y="5" width="26" height="38" rx="3"/>
    <circle cx="24" cy="20" r="7"/>
    <path d="M17 20h14M24 13c-3 4-3 10 0 14M24 13c3 4 3 10 0 14"/>
    <path d="M17 34h14"/>`,
  "id-card": `
    <rect x="4" y="10" width="40" height="28" rx="3"/>
    <circle cx="16" cy="21" r="4"/>
    <path d="M9 32c1-4 4-6 7-6s6 2 7 6"/>
    <path d="M27 18h11M27 24h11M27 30h7"/>`,
  "door-open": `
    <path d="M8 42h32"/>
    <path d="M12 42V6h20v36"/>
    <path d="M12 6l14 5v34l-14-3"/>
    <circle cx="22" cy="26" r="1.5" fill="currentColor"/>`,
  briefcase: `
    <rect x="5" y="14" width="38" height="26" rx="3"/>
    <path d="M17 14V9a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2v5"/>
    <path d="M5 25h38M21 25v4h6v-4"/>`,
  wallet: `
    <path d="M7 14h32a3 3 0 0 1 3 3v20a3 3 0 0 1-3 3H9a3 3 0 0 1-3-3V12a4 4 0 0 1 4-4h24v6"/>
    <path d="M42 22H33a4 4 0 0 0 0 8h9z"/>
    <circle cx="33" cy="26" r="1.5" fill="currentColor"/>`,
  compass: `
    <circle cx="24" cy="24" r="18"/>
    <path d="M30 18l-4 10-8 4 4-10z"/>
    <path d="M24 6v4M24 38v4M6 24h4M38 24h4"/>`,
  clipboard: `
    <rect x="9" y="8" width="30" height="36" rx="3"/>
    <rect x="17" y="4" width="14" height="8" rx="2"/>
    <path d="M15 21l3 3 5-6M27 21h7M15 32l3 3 5-6M27 32h7"/>`,
  sprout: `
    <path d="M24 44V22"/>
    <path d="M24 26c0-8-6-13-15-13 0 9 6 13 15 13z"/>
    <path d="M24 22c0-8 6-14 15-14 0 9-6 14-15 14z"/>
    <path d="M14 44h20"/>`,
  people: `
    <circle cx="17" cy="15" r="6"/>
    <path d="M5 40c0-8 5-13 12-13s12 5 12 13"/>
    <circle cx="33" cy="17" r="5"/>
    <path d="M31 27c7 0 12 4 12 12"/>`,
  chat: `
    <path d="M5 9h24a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H15l-7 6v-6H5a2 2 0 0 1-2-2V11a2 2 0 0 1 2-2z"/>
    <path d="M35 18h8a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2h-3v6l-7-6h-8a2 2 0 0 1-2-2v-3"/>`,
  certificate: `
    <path d="M30 42H9a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h30a2 2 0 0 1 2 2v14"/>
    <path d="M14 15h20M14 22h14M14 29h8"/>
    <circle cx="36" cy="32" r="6"/>
    <path d="M32 37l-2 8 6-3 6 3-2-8"/>`,
  book: `
    <path d="M24 12c-5-4-12-5-19-4v30c7-1 14 0 19 4 5-4 12-5 19-4V8c-7-1-14 0-19 4z"/>
    <path d="M24 12v30"/>`,
};

const FALLBACK = `<circle cx="24" cy="24" r="16"/><path d="M24 16v10M24 32v1"/>`;

export function icon(name, { size = 48, label = null } = {}) {
  const body = PATHS[name] ?? FALLBACK;
  const a11y = label ? `role="img" aria-label="${label}"` : 'aria-hidden="true" focusable="false"';
  return `<svg class="icon" ${a11y} width="${size}" height="${size}" viewBox="0 0 48 48" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
}

export const ICON_NAMES = Object.keys(PATHS);
