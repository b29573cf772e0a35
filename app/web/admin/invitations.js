// Invitations (issue 13, item 1): a day's invitees with their codes and planned arrival
// windows, a CSV list (checked wholly by the server: a bad cell is named by row and
// column, nothing is imported), one invitee by hand, the turnout and the letters to
// print. Names and addresses go to the server for the letters and are never shown here.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { refuseNonAdmin } from "./admin-only.js";
import { startAdmin } from "./shell.js";

const strings = {
  de: {
    title: "Einladungen",
    intro: "Eingeladene eines Beratungstags: jede Person bekommt einen Code und ein Ankunftsfenster, das die Planung aus den Schaltern des Tages und den erwarteten Laufkunden berechnet. Namen und Adressen stehen nur im Brief.",
    date: "Tag",
    show: "Anzeigen",
    uploadTitle: "Liste hochladen (CSV)",
    uploadHint: "Kopfzeile: language,needs,residence_status,town,age,leave_by,name,address – mehrere Anliegen mit ; trennen.",
    file: "Datei",
    upload: "Hochladen",
    uploading: "Die Fenster werden geplant …",
    imported: "{n} Einladungen übernommen.",
    csvError: "Zeile {row}, Spalte „{column}“: {message} Es wurde nichts übernommen.",
    r_missing: "Hier fehlt ein Wert.",
    r_bad_format: "Das Format stimmt nicht (Uhrzeit wie 12:30).",
    r_too_long: "Der Text ist zu lang.",
    r_out_of_range: "Der Wert liegt außerhalb des erlaubten Bereichs.",
    r_not_a_number: "Bitte eine ganze Zahl.",
    r_not_offered: "Diese Sprache bietet das Center nicht an.",
    r_unknown_need: "Dieses Anliegen gibt es hier nicht ({value}).",
    r_unknown_status: "Diesen Aufenthaltsstatus gibt es nicht ({value}).",
    r_unknown_town: "Dieser Ort gehört nicht zum Einzugsgebiet ({value}).",
    r_before_opening: "Die Uhrzeit liegt vor der Öffnung.",
    r_missing_column: "Die Kopfzeile hat diese Spalte nicht.",
    r_unknown_column: "Diese Spalte ist unbekannt.",
    r_extra_cells: "Die Zeile hat mehr Zellen als Spalten.",
    r_too_many_rows: "Höchstens 500 Personen je Liste.",
    r_invalid: "Der Wert ist ungültig.",
    addTitle: "Eine Person hinzufügen",
    language: "Sprache",
    needs: "Anliegen",
    residence: "Aufenthaltsstatus (freiwillig)",
    town: "Wohnort (freiwillig)",
    age: "Alter (freiwillig)",
    leaveBy: "Muss gehen um (freiwillig)",
    name: "Name (nur für den Brief)",
    address: "Adresse (nur für den Brief)",
    add: "Hinzufügen",
    added: "Hinzugefügt: Code {code}, Ankunft {start}–{end}.",
    fieldError: "„{field}“: {message}",
    turnoutTitle: "Rücklauf",
    invited: "eingeladen",
    came: "gekommen",
    inWindow: "im Fenster gekommen",
    walkIns: "ohne Einladung",
    listTitle: "Eingeladene",
    colCode: "Code",
    colLanguage: "Sprache",
    colNeeds: "Anliegen",
    colWindow: "Ankunft",
    colCame: "Gekommen",
    colLetter: "Brief",
    yes: "ja",
    yesInWindow: "ja, im Fenster",
    no: "nein",
    letter: "Brief",
    allLetters: "Alle Briefe des Tages drucken",
    none: "Für diesen Tag gibt es noch keine Einladungen.",
    noFile: "Bitte eine Datei wählen.",
    failed: "Das hat nicht geklappt ({code}).",
  },
  en: {
    title: "Invitations",
    intro: "The invitees of a consultation day: everyone gets a code and an arrival window, planned from the day's desks and the expected walk-ins. Names and addresses appear only in the letter.",
    date: "Day",
    show: "Show",
    uploadTitle: "Upload a list (CSV)",
    uploadHint: "Header row: language,needs,residence_status,town,age,leave_by,name,address – separate several needs with ;.",
    file: "File",
    upload: "Upload",
    uploading: "Planning the windows …",
    imported: "{n} invitations imported.",
    csvError: "Row {row}, column “{column}”: {message} Nothing was imported.",
    r_missing: "A value is missing here.",
    r_bad_format: "The format is wrong (a time like 12:30).",
    r_too_long: "The text is too long.",
    r_out_of_range: "The value is out of range.",
    r_not_a_number: "Please a whole number.",
    r_not_offered: "The center does not offer this language.",
    r_unknown_need: "There is no such need here ({value}).",
    r_unknown_status: "There is no such residence status ({value}).",
    r_unknown_town: "This town is not served here ({value}).",
    r_before_opening: "The time is before opening.",
    r_missing_column: "The header row lacks this column.",
    r_unknown_column: "This column is unknown.",
    r_extra_cells: "The row has more cells than columns.",
    r_too_many_rows: "At most 500 people per list.",
    r_invalid: "The value is invalid.",
    addTitle: "Add one person",
    language: "Language",
    needs: "Needs",
    residence: "Residence status (optional)",
    town: "Town (optional)",
    age: "Age (optional)",
    leaveBy: "Must leave by (optional)",
    name: "Name (for the letter only)",
    address: "Address (for the letter only)",
    add: "Add",
    added: "Added: code {code}, arrival {start}–{end}.",
    fieldError: "“{field}”: {message}",
    turnoutTitle: "Turnout",
    invited: "invited",
    came: "came",
    inWindow: "came in their window",
    walkIns: "walk-ins",
    listTitle: "Invitees",
    colCode: "Code",
    colLanguage: "Language",
    colNeeds: "Needs",
    colWindow: "Arrival",
    colCame: "Came",
    colLetter: "Letter",
    yes: "yes",
    yesInWindow: "yes, in the window",
    no: "no",
    letter: "Letter",
    allLetters: "Print all letters of the day",
    none: "No invitations for this day yet.",
    noFile: "Please choose a file.",
    failed: "That did not work ({code}).",
  },
};

function todayIso() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function problemText(t, err) {
  if (!(err instanceof ApiError)) return t("failed", { code: "network" });
  const p = err.problem ?? {};
  const first = p.errors?.[0] ?? {};
  if (p.code === "invalid_csv") {
    // The server's reason, worded here (its English message is for logs and scripts).
    const message = t(`r_${p.reason ?? "invalid"}`, { value: first.value ?? "" });
    return t("csvError", { row: p.row, column: p.column, message });
  }
  if (first.field) return t("fieldError", { field: first.field, message: first.message ?? "" });
  return t("failed", { code: err.code || err.status });
}

startAdmin({
  section: "invitations",
  strings,
  render: async ({ me, center, t, lang, main, api }) => {
    if (refuseNonAdmin(me, lang, main)) return;
    const slug = center?.slug ?? me.center ?? "";
    const base = `/api/v1/admin/centers/${encodeURIComponent(slug)}/invitations`;
    // The center's own day (its time zone), not the browser's: the default date.
    let offer = { languages: ["de", "en"], needs: [] };
    try {
      offer = (await api("GET", `/api/v1/centers/${encodeURIComponent(slug)}/today`)).data;
    } catch {
      /* a closed day: the form still takes codes */
    }
    const needLabel = (code) => {
      const need = offer.needs.find((n) => n.code === code);
      return need ? need.label[lang] ?? need.label.de ?? code : code;
    };
    main.innerHTML = `
      <section class="card"><h1>${esc(t("title"))}</h1><p class="muted">${esc(t("intro"))}</p>
        <form id="inv-day" class="inline"><p><label for="inv-date">${esc(t("date"))}</label>
          <input id="inv-date" type="date" required value="${esc(offer.date ?? todayIso())}"></p>
          <p><button class="btn" type="submit">${esc(t("show"))}</button></p></form></section>
      <div class="grid">
        <section class="card"><h2>${esc(t("uploadTitle"))}</h2><p class="small muted">${esc(t("uploadHint"))}</p>
          <form id="inv-upload"><p><label for="inv-file">${esc(t("file"))}</label>
            <input id="inv-file" type="file" accept=".csv,text/csv"></p>
            <p><button class="btn primary" type="submit">${esc(t("upload"))}</button></p>
            <p id="inv-upload-msg" class="flash" role="status"></p></form></section>
        <section class="card"><h2>${esc(t("addTitle"))}</h2>
          <form id="inv-add">
            <p><label for="inv-lang">${esc(t("language"))}</label><select id="inv-lang">${offer.languages
              .map((l) => `<option value="${esc(l)}">${esc(l)}</option>`)
              .join("")}</select></p>
            <fieldset><legend>${esc(t("needs"))}</legend>${offer.needs
              .map((n) => `<label class="check"><input type="checkbox" name="need" value="${esc(n.code)}"> ${esc(needLabel(n.code))}</label>`)
              .join(" ")}</fieldset>
            <p><label for="inv-town">${esc(t("town"))}</label><input id="inv-town"></p>
            <p><label for="inv-age">${esc(t("age"))}</label><input id="inv-age" type="number" min="0" max="120"></p>
            <p><label for="inv-leave">${esc(t("leaveBy"))}</label><input id="inv-leave" type="time"></p>
            <p><label for="inv-name">${esc(t("name"))}</label><input id="inv-name" autocomplete="off"></p>
            <p><label for="inv-address">${esc(t("address"))}</label><input id="inv-address" autocomplete="off"></p>
            <p><button class="btn primary" type="submit">${esc(t("add"))}</button></p>
            <p id="inv-add-msg" class="flash" role="status"></p></form></section>
      </div>
      <section class="card"><h2>${esc(t("turnoutTitle"))}</h2><ul id="inv-turnout" class="figures"></ul></section>
      <section class="card"><h2>${esc(t("listTitle"))}</h2><p><a id="inv-letters" class="btn" target="_blank" rel="noopener">${esc(t("allLetters"))}</a></p>
        <div class="table-scroll" id="inv-list"></div></section>`;
    const el = (id) => document.getElementById(id);
    const day = () => el("inv-date").value || todayIso();

    async function load() {
      el("inv-letters").href = `${base}/letters.html?date=${day()}`;
      let data;
      try {
        data = (await api("GET", `${base}?date=${day()}`)).data;
      } catch (err) {
        el("inv-list").innerHTML = `<p class="error" role="alert">${esc(problemText(t, err))}</p>`;
        el("inv-turnout").innerHTML = "";
        return;
      }
      const tu = data.turnout;
      el("inv-turnout").innerHTML = [
        [tu.invited, "invited"],
        [tu.came, "came"],
        [tu.came_in_window, "inWindow"],
        [tu.walk_ins, "walkIns"],
      ]
        .map(([v, k]) => `<li><span class="value" data-figure="${k}">${esc(v)}</span><span class="label">${esc(t(k))}</span></li>`)
        .join("");
      if (!data.invitations.length) {
        el("inv-list").innerHTML = `<p class="muted">${esc(t("none"))}</p>`;
        return;
      }
      const rows = data.invitations
        .map(
          (i) => `<tr><td class="code">${esc(i.code)}</td><td>${esc(i.language)}</td>
            <td>${esc(i.needs.map(needLabel).join(", "))}</td>
            <td>${i.window ? esc(`${i.window.start}–${i.window.end}`) : ""}</td>
            <td>${esc(i.came ? t(i.came_in_window ? "yesInWindow" : "yes") : t("no"))}</td>
            <td><a href="${esc(`${base}/${i.id}/letter.html`)}" target="_blank" rel="noopener">${esc(t("letter"))}</a></td></tr>`,
        )
        .join("");
      el("inv-list").innerHTML = `<table><thead><tr><th>${esc(t("colCode"))}</th><th>${esc(t("colLanguage"))}</th><th>${esc(t("colNeeds"))}</th><th>${esc(t("colWindow"))}</th><th>${esc(t("colCame"))}</th><th>${esc(t("colLetter"))}</th></tr></thead><tbody>${rows}</tbody></table>`;
    }

    el("inv-day").addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    el("inv-upload").addEventListener("submit", async (event) => {
      event.preventDefault();
      const msg = el("inv-upload-msg");
      const file = el("inv-file").files[0];
      msg.className = "flash";
      if (!file) {
        msg.textContent = t("noFile");
        return;
      }
      msg.textContent = t("uploading");
      try {
        const csv = await file.text();
        const r = await api("POST", `${base}/upload?date=${day()}`, { body: { csv }, timeout: 120000 });
        msg.className = "flash ok";
        msg.textContent = t("imported", { n: r.data.imported });
        await load();
      } catch (err) {
        msg.className = "flash error";
        msg.textContent = problemText(t, err);
      }
    });
    el("inv-add").addEventListener("submit", async (event) => {
      event.preventDefault();
      const msg = el("inv-add-msg");
      const body = {
        date: day(),
        language: el("inv-lang").value,
        needs: [...document.querySelectorAll("input[name=need]:checked")].map((c) => c.value),
      };
      const optional = { town: el("inv-town").value.trim(), leave_by: el("inv-leave").value, name: el("inv-name").value.trim(), address: el("inv-address").value.trim() };
      for (const [k, v] of Object.entries(optional)) if (v) body[k] = v;
      if (el("inv-age").value) body.age = Number(el("inv-age").value);
      msg.className = "flash";
      msg.textContent = t("uploading");
      try {
        const r = await api("POST", base, { body, timeout: 120000 });
        const w = r.data.window ?? { start: "", end: "" };
        msg.className = "flash ok";
        msg.textContent = t("added", { code: r.data.code, start: w.start, end: w.end });
        el("inv-name").value = "";
        el("inv-address").value = "";
        await load();
      } catch (err) {
        msg.className = "flash error";
        msg.textContent = problemText(t, err);
      }
    });
    await load();
  },
});
