// Consultation days (issue 12, item 3): add, change, cancel; the same rules as the config
// file (the API answers 422 naming each field with a `reason`, worded here). What was
// typed stays in the form on an error. German first, English available.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { refuseNonAdmin } from "./admin-only.js";
import { startAdmin } from "./shell.js";

const strings = {
  de: {
    title: "Beratungstage",
    intro: "Öffnungszeiten, anwesende Stellen und mobile Tage. Änderungen am heutigen Tag erscheinen sofort am Kiosk und auf den Bildschirmen.",
    addTitle: "Beratungstag hinzufügen",
    editTitle: "Beratungstag am {date} ändern",
    date: "Datum",
    opens: "Öffnet",
    closes: "Schließt",
    site: "Ort (nur mobile Tage)",
    sitePlaceholder: "z. B. Lügde, Rathaus, Am Markt 1",
    agencies: "Anwesende Stellen",
    allAgencies: "Alle Stellen",
    note: "Hinweis für Besucherinnen und Besucher",
    noteIn: "Hinweis ({lang})",
    moreLanguages: "Hinweis in weiteren Sprachen",
    save: "Speichern",
    add: "Hinzufügen",
    cancelEdit: "Abbrechen",
    listTitle: "Tage",
    colDate: "Datum",
    colHours: "Zeiten",
    colSite: "Ort",
    colAgencies: "Stellen",
    colState: "Status",
    colActions: "Aktionen",
    atCenter: "im Center",
    all: "alle",
    allBut: "alle außer {codes}",
    today: "heute",
    cancelled: "abgesagt",
    past: "vorbei",
    planned: "geplant",
    edit: "Ändern",
    cancelDay: "Absagen",
    reinstate: "Wieder ansetzen",
    confirmCancel: "Den Beratungstag am {date} absagen? Der Kiosk zeigt dann „geschlossen“.",
    saved: "Gespeichert.",
    cancelledDone: "Der Tag am {date} ist abgesagt.",
    reinstated: "Der Tag am {date} findet wieder statt.",
    none: "Keine Tage in diesem Zeitraum.",
    everyDay: "Das Center hat keinen Kalender und ist deshalb jeden Tag mit allen Stellen geöffnet. Sobald Sie einen Beratungstag anlegen, ist es nur noch an den eingetragenen Tagen geöffnet.",
    export: "Konfiguration herunterladen (YAML)",
    publicPage: "Öffentliche Terminliste",
    fixErrors: "Bitte die markierten Felder prüfen.",
    r_missing: "Bitte ausfüllen.",
    r_time: "Bitte eine Uhrzeit wie 09:00 eingeben.",
    r_date: "Bitte ein Datum eingeben.",
    r_closes_before_opens: "„Schließt“ muss nach „Öffnet“ liegen.",
    r_unknown_agency: "Diese Stelle gibt es nicht.",
    r_duplicate: "Doppelt ausgewählt.",
    r_note_default_language: "Der Hinweis braucht auch einen Text in {lang}.",
    r_too_long: "Zu lang.",
    r_empty: "Darf nicht leer sein.",
    r_past: "Das Datum liegt in der Vergangenheit.",
    r_invalid: "Ungültiger Wert.",
    c_day_exists: "An diesem Datum gibt es schon einen Beratungstag – bitte diesen ändern.",
    c_day_past: "Vergangene Tage bleiben, wie sie waren.",
    c_visitors_waiting: "Heute warten noch Besucherinnen und Besucher auf diese Stelle ({tickets}). Bitte erst aufrufen oder abmelden.",
    c_other: "Das hat nicht geklappt: {detail}",
  },
  en: {
    title: "Consultation days",
    intro: "Opening hours, agencies present and mobile days. Changes to today's day reach the kiosk and the screens at once.",
    addTitle: "Add a consultation day",
    editTitle: "Change the consultation day on {date}",
    date: "Date",
    opens: "Opens",
    closes: "Closes",
    site: "Site (mobile days only)",
    sitePlaceholder: "e.g. Lügde, town hall, Am Markt 1",
    agencies: "Agencies present",
    allAgencies: "All agencies",
    note: "Note for visitors",
    noteIn: "Note ({lang})",
    moreLanguages: "Note in more languages",
    save: "Save",
    add: "Add",
    cancelEdit: "Cancel",
    listTitle: "Days",
    colDate: "Date",
    colHours: "Hours",
    colSite: "Site",
    colAgencies: "Agencies",
    colState: "State",
    colActions: "Actions",
    atCenter: "at the center",
    all: "all",
    allBut: "all but {codes}",
    today: "today",
    cancelled: "cancelled",
    past: "past",
    planned: "planned",
    edit: "Change",
    cancelDay: "Cancel day",
    reinstate: "Reinstate",
    confirmCancel: "Cancel the consultation day on {date}? The kiosk will then say closed.",
    saved: "Saved.",
    cancelledDone: "The day on {date} is cancelled.",
    reinstated: "The day on {date} takes place again.",
    none: "No days in this period.",
    everyDay: "The center has no calendar, so it is open every day with every agency. Once you add a consultation day, it is open on the listed days only.",
    export: "Download configuration (YAML)",
    publicPage: "Public list of days",
    fixErrors: "Please check the marked fields.",
    r_missing: "Please fill this in.",
    r_time: "Please enter a time like 09:00.",
    r_date: "Please enter a date.",
    r_closes_before_opens: "“Closes” must be after “Opens”.",
    r_unknown_agency: "There is no such agency.",
    r_duplicate: "Chosen twice.",
    r_note_default_language: "The note also needs a text in {lang}.",
    r_too_long: "Too long.",
    r_empty: "Must not be empty.",
    r_past: "The date is in the past.",
    r_invalid: "Invalid value.",
    c_day_exists: "There is a consultation day on this date already – please change that one.",
    c_day_past: "Past days stay as they were.",
    c_visitors_waiting: "Visitors still wait for this agency today ({tickets}). Please call or sign them out first.",
    c_other: "That did not work: {detail}",
  },
};

const FIELDS = ["date", "opens", "closes", "site", "agencies", "note"];

function pick(texts, lang, fallback) {
  return texts?.[lang] ?? texts?.[fallback] ?? Object.values(texts ?? {})[0] ?? "";
}

function formatDay(lang, iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  return new Intl.DateTimeFormat(lang === "de" ? "de-DE" : "en-GB", {
    weekday: "short", day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC",
  }).format(date);
}

startAdmin({
  section: "days",
  strings,
  render: async ({ me, center, t, lang, main, api }) => {
    if (refuseNonAdmin(me, lang, main)) return;
    if (!center) {
      main.innerHTML = `<p class="error" role="alert">${esc(t("offline"))}</p>`;
      return;
    }
    const base = `/api/v1/admin/centers/${encodeURIComponent(center.slug)}/days`;
    let data = null;
    let editing = null; // the date being changed, or null when adding

    main.innerHTML = `
      <div class="inline head-row">
        <h1>${esc(t("title"))}</h1>
        <a class="btn small" href="/api/v1/centers/${esc(center.slug)}/config.yaml" download>${esc(t("export"))}</a>
        <a class="btn small" href="/days/?c=${esc(center.slug)}" target="_blank" rel="noopener">${esc(t("publicPage"))}</a>
      </div>
      <p class="muted">${esc(t("intro"))}</p>
      <div class="grid days-grid">
        <section class="card" aria-labelledby="day-form-title">
          <h2 id="day-form-title"></h2>
          <form id="day-form" novalidate></form>
        </section>
        <section class="card" aria-labelledby="days-title">
          <h2 id="days-title">${esc(t("listTitle"))}</h2>
          <p id="days-flash" class="flash" role="status"></p>
          <div class="table-scroll" id="days-table"></div>
        </section>
      </div>`;
    const form = document.getElementById("day-form");
    const flash = document.getElementById("days-flash");

    function formHtml() {
      const langs = data.languages;
      const first = langs.slice(0, 2);
      const rest = langs.slice(2);
      const noteField = (code) => `
        <p><label for="note-${esc(code)}" lang="${esc(lang)}">${esc(t("noteIn", { lang: code }))}</label>
        <textarea id="note-${esc(code)}" data-note="${esc(code)}" lang="${esc(code)}" dir="auto" maxlength="500"></textarea></p>`;
      const agencies = data.agencies.map((code) => `
        <label class="check"><input type="checkbox" name="agency" value="${esc(code)}" checked> ${esc(pick(data.agency_names[code], lang, "de"))}</label>`).join("");
      return `
        <div class="inline">
          <p><label for="day-date">${esc(t("date"))}</label><input id="day-date" name="date" type="date" required></p>
          <p><label for="day-opens">${esc(t("opens"))}</label><input id="day-opens" name="opens" type="time" required></p>
          <p><label for="day-closes">${esc(t("closes"))}</label><input id="day-closes" name="closes" type="time" required></p>
        </div>
        <p class="field-error error" data-error-for="date"></p>
        <p class="field-error error" data-error-for="opens"></p>
        <p class="field-error error" data-error-for="closes"></p>
        <p><label for="day-site">${esc(t("site"))}</label><input id="day-site" name="site" maxlength="200" placeholder="${esc(t("sitePlaceholder"))}"></p>
        <p class="field-error error" data-error-for="site"></p>
        <fieldset class="agencies"><legend>${esc(t("agencies"))}</legend>${agencies}</fieldset>
        <p class="field-error error" data-error-for="agencies"></p>
        <fieldset class="notes"><legend>${esc(t("note"))}</legend>
          ${first.map(noteField).join("")}
          ${rest.length ? `<details><summary>${esc(t("moreLanguages"))}</summary>${rest.map(noteField).join("")}</details>` : ""}
        </fieldset>
        <p class="field-error error" data-error-for="note"></p>
        <p id="day-form-error" class="error" role="alert"></p>
        <p class="inline"><button type="submit" class="btn primary" id="day-submit"></button>
        <button type="button" class="btn" id="day-reset" hidden>${esc(t("cancelEdit"))}</button></p>`;
    }

    function setMode(date) {
      editing = date;
      document.getElementById("day-form-title").textContent = date ? t("editTitle", { date: formatDay(lang, date) }) : t("addTitle");
      document.getElementById("day-submit").textContent = date ? t("save") : t("add");
      document.getElementById("day-reset").hidden = !date;
      form.elements.date.readOnly = Boolean(date);
    }

    function fill(day) {
      form.reset();
      clearErrors();
      form.elements.date.value = day?.date ?? "";
      form.elements.opens.value = day?.opens ?? "09:00";
      form.elements.closes.value = day?.closes ?? "13:00";
      form.elements.site.value = day?.site ?? "";
      for (const box of form.querySelectorAll("input[name=agency]")) {
        box.checked = !day?.agencies || day.agencies.includes(box.value);
      }
      for (const area of form.querySelectorAll("[data-note]")) area.value = day?.note?.[area.dataset.note] ?? "";
      setMode(day ? day.date : null);
    }

    function body() {
      const boxes = [...form.querySelectorAll("input[name=agency]")];
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
      const note = {};
      for (const area of form.querySelectorAll("[data-note]")) {
        if (area.value.trim()) note[area.dataset.note] = area.value.trim();
      }
      const out = {
        opens: form.elements.opens.value,
        closes: form.elements.closes.value,
        // Every agency ticked means "all", as an omitted list does in the config file.
        agencies: chosen.length === boxes.length ? null : chosen,
        site: form.elements.site.value.trim() || null,
        note: Object.keys(note).length ? note : null,
      };
      if (!editing) out.date = form.elements.date.value;
      return out;
    }

    function clearErrors() {
      for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      document.getElementById("day-form-error").textContent = "";
    }

    function showProblem(err) {
      const problem = err instanceof ApiError ? err.problem : null;
      const errors = problem?.errors ?? [];
      if (err?.status === 422 && errors.length) {
        for (const e of errors) {
          const field = FIELDS.find((f) => e.field === f || e.field.startsWith(`${f}[`) || e.field.startsWith(`${f}.`)) ?? "date";
          const target = form.querySelector(`[data-error-for="${field}"]`);
          const text = `${t(field === "note" ? "note" : field === "agencies" ? "agencies" : field)}: ${t(`r_${e.reason ?? "invalid"}`, { lang: data.languages[0] })}`;
          if (target && !target.textContent) target.textContent = text;
          const input = form.elements[field];
          if (input?.setAttribute) input.setAttribute("aria-invalid", "true");
        }
        document.getElementById("day-form-error").textContent = t("fixErrors");
        form.querySelector("[aria-invalid=true]")?.focus(); // the first bad field, in view
        return;
      }
      const code = err instanceof ApiError ? err.code : "";
      let text;
      if (code === "visitors_waiting") {
        const tickets = Object.values(problem.waiting ?? {}).flat().join(", ");
        text = t("c_visitors_waiting", { tickets });
      } else if (code === "day_exists" || code === "day_past") {
        text = t(`c_${code}`);
      } else if (err?.kind === "network") {
        text = t("offline");
      } else {
        text = t("c_other", { detail: err?.detail || err?.message || "" });
      }
      document.getElementById("day-form-error").textContent = text;
    }

    function stateBadge(day) {
      if (day.cancelled) return `<span class="badge warn">${esc(t("cancelled"))}</span>`;
      if (day.today) return `<span class="badge ok">${esc(t("today"))}</span>`;
      if (day.past) return `<span class="badge">${esc(t("past"))}</span>`;
      return `<span class="badge pause">${esc(t("planned"))}</span>`;
    }

    function tableHtml() {
      if (data.open_every_day) return `<p class="alert notice" role="note">${esc(t("everyDay"))}</p>`;
      if (!data.days.length) return `<p class="muted">${esc(t("none"))}</p>`;
      const rows = data.days.map((day) => {
        const missing = data.agencies.filter((a) => day.agencies && !day.agencies.includes(a));
        // A long list that leaves out one or two agencies reads better the other way round.
        const agencies = !day.agencies
          ? t("all")
          : missing.length && missing.length <= 2 && day.agencies.length > 3
            ? t("allBut", { codes: missing.join(", ") })
            : day.agencies.join(", ");
        const actions = day.past ? "" : `
          <button type="button" class="btn small" data-edit="${esc(day.date)}">${esc(t("edit"))}</button>
          ${day.cancelled
            ? `<button type="button" class="btn small" data-reinstate="${esc(day.date)}">${esc(t("reinstate"))}</button>`
            : `<button type="button" class="btn small danger" data-cancel="${esc(day.date)}">${esc(t("cancelDay"))}</button>`}`;
        return `<tr data-day="${esc(day.date)}"${day.past ? ' class="muted"' : ""}>
          <td class="nowrap">${esc(formatDay(lang, day.date))}</td>
          <td class="nowrap"><bdi>${esc(day.opens)}–${esc(day.closes)}</bdi></td>
          <td>${day.site ? esc(day.site) : `<span class="muted">${esc(t("atCenter"))}</span>`}</td>
          <td>${esc(agencies)}</td>
          <td>${stateBadge(day)}</td>
          <td class="actions">${actions}</td></tr>`;
      }).join("");
      return `<table><thead><tr><th>${esc(t("colDate"))}</th><th>${esc(t("colHours"))}</th><th>${esc(t("colSite"))}</th>
        <th>${esc(t("colAgencies"))}</th><th>${esc(t("colState"))}</th><th>${esc(t("colActions"))}</th></tr></thead><tbody>${rows}</tbody></table>`;
    }

    async function load() {
      data = (await api("GET", `${base}?past=14`)).data;
      document.getElementById("days-table").innerHTML = tableHtml();
    }

    await load();
    form.innerHTML = formHtml();
    fill(null);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors();
      flash.textContent = "";
      const wanted = body();
      try {
        if (editing) await api("PUT", `${base}/${encodeURIComponent(editing)}`, { body: wanted });
        else await api("POST", base, { body: wanted });
      } catch (err) {
        showProblem(err); // the form keeps everything typed
        return;
      }
      await load();
      fill(null);
      flash.textContent = t("saved");
    });
    document.getElementById("day-reset").addEventListener("click", () => fill(null));

    document.getElementById("days-table").addEventListener("click", async (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const { edit, cancel, reinstate } = button.dataset;
      if (edit) {
        fill(data.days.find((d) => d.date === edit));
        form.elements.opens.focus();
        return;
      }
      const date = cancel ?? reinstate;
      if (!date) return;
      if (cancel && !window.confirm(t("confirmCancel", { date: formatDay(lang, date) }))) return;
      flash.textContent = "";
      try {
        await api("POST", `${base}/${encodeURIComponent(date)}/${cancel ? "cancel" : "reinstate"}`);
      } catch (err) {
        showProblem(err);
        return;
      }
      await load();
      flash.textContent = t(cancel ? "cancelledDone" : "reinstated", { date: formatDay(lang, date) });
    });
  },
});
