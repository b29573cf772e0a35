// The public list of a center's next days of consultation, served at /days/ (query c=<slug>, lang=<code>), in
// the center's languages (right to left for Arabic and Farsi), printable. It shows what
// GET /api/v1/centers/{slug}/days answers: dates, hours, agencies, site, the public note.
import { request } from "/static/api.js";
import { esc } from "/static/html.js";
import { LANGUAGE_NAMES, formatDate, isRtl, t } from "/static/i18n.js";

const params = new URLSearchParams(location.search);
const slug = params.get("c") || params.get("center") || "";
const el = (id) => document.getElementById(id);

function pick(texts, lang, fallback) {
  return texts?.[lang] ?? texts?.[fallback] ?? Object.values(texts ?? {})[0] ?? "";
}

function chooseLanguage(offered) {
  const asked = params.get("lang");
  if (asked && offered.includes(asked)) return asked;
  for (const wanted of navigator.languages ?? []) {
    const code = wanted.slice(0, 2).toLowerCase();
    if (offered.includes(code)) return code;
  }
  return offered[0] ?? "de";
}

function render(data, lang) {
  const fallback = data.languages[0];
  document.documentElement.lang = lang;
  document.documentElement.dir = isRtl(lang) ? "rtl" : "ltr";
  document.title = `${t(lang, "pdTitle")} – ${data.center.name}`;
  el("title").textContent = t(lang, "pdTitle");
  el("center").textContent = data.center.name;
  el("lang-label").textContent = t(lang, "pdLanguage");
  el("print").textContent = t(lang, "pdPrint");
  const intro = `<p class="intro">${esc(t(lang, "pdIntro"))}</p>`;
  if (data.open_every_day) {
    el("main").innerHTML = `${intro}<p>${esc(t(lang, "pdEveryDay"))}</p>`;
    return;
  }
  if (!data.days.length) {
    el("main").innerHTML = `${intro}<p>${esc(t(lang, "pdNone"))}</p>`;
    return;
  }
  const items = data.days.map((day) => {
    const where = day.site
      ? `<p class="where mobile">${esc(t(lang, "pdSite", { site: day.site }))}</p>`
      : `<p class="where">${esc(t(lang, "pdAtCenter"))}</p>`;
    const note = day.note ? `<p class="note" dir="auto">${esc(pick(day.note, lang, fallback))}</p>` : "";
    const agencies = day.agencies.map((a) => `<li>${esc(pick(a.name, lang, fallback))}</li>`).join("");
    return `<li class="day${day.cancelled ? " cancelled" : ""}" data-date="${esc(day.date)}">
      <h2>${esc(formatDate(lang, day.date))}</h2>
      <p class="hours"><bdi dir="ltr">${esc(t(lang, "pdHours", { opens: day.opens, closes: day.closes }))}</bdi></p>
      ${day.cancelled ? `<p class="cancel-note">${esc(t(lang, "pdCancelled"))}</p>` : ""}
      ${where}${note}
      <p class="label">${esc(t(lang, "pdAgencies"))}</p><ul class="agencies">${agencies}</ul></li>`;
  });
  el("main").innerHTML = `${intro}<ol class="days">${items.join("")}</ol>`;
}

async function start() {
  el("print").addEventListener("click", () => window.print());
  let data;
  try {
    data = (await request("GET", `/api/v1/centers/${encodeURIComponent(slug)}/days`)).data;
  } catch (err) {
    el("main").innerHTML = `<p class="error" role="alert">${esc(t("de", err?.status === 404 ? "pdUnknown" : "pdNone"))}</p>`;
    return;
  }
  const select = el("lang");
  select.innerHTML = data.languages
    .map((code) => `<option value="${esc(code)}" lang="${esc(code)}">${esc(LANGUAGE_NAMES[code] ?? code)}</option>`)
    .join("");
  let lang = chooseLanguage(data.languages);
  select.value = lang;
  select.addEventListener("change", () => {
    lang = select.value;
    const url = new URL(location.href);
    url.searchParams.set("lang", lang);
    history.replaceState(null, "", url);
    render(data, lang);
  });
  render(data, lang);
}

start();
