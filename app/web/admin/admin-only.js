// Days, devices and staff are changed by the center's administrators only: a lead (read
// only) who follows the navigation here is told so instead of meeting a refused request.
import { esc } from "/static/html.js";

const strings = {
  de: {
    title: "Nur für die Administration",
    text: "Beratungstage, Geräte und Zugänge ändert die Administration des Centers. Als Leitung lesen Sie den Tagesüberblick und die Statistik.",
    overview: "Zum Tagesüberblick",
  },
  en: {
    title: "For administrators only",
    text: "Consultation days, devices and accounts are changed by the center's administrators. As the lead you read the overview and the statistics.",
    overview: "To the overview",
  },
};

/** True (and the page says why) when the caller may not use an administrators' section. */
export function refuseNonAdmin(me, lang, main) {
  if (me.role === "admin") return false;
  const s = strings[lang] ?? strings.de;
  main.innerHTML = `<section class="card narrow"><h1>${esc(s.title)}</h1><p>${esc(s.text)}</p>
    <p><a class="btn" href="/admin/">${esc(s.overview)}</a></p></section>`;
  return true;
}
