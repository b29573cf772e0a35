// The what-if planner (issue 13, items 3 and 4): a past day (replayed from what it left
// behind) or an upcoming one (with its invitees), changed by desks per agency, closing
// time, walk-in volume and invitation windows; the server simulates it seeded (the same
// settings give the same figures) while the page shows its progress, then the waits per
// agency and the time in the center beside the actual day, as a chart and a table, and
// which agency's extra desk would help most. German first, English available.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { startAdmin } from "./shell.js";

const strings = {
  de: {
    title: "Planung: Was wäre, wenn …",
    intro: "Spielen Sie einen vergangenen Tag noch einmal durch oder planen Sie einen kommenden: mit mehr oder weniger Schaltern, anderen Öffnungszeiten, mehr oder weniger Laufkundschaft. Die Vorhersage simuliert den Tag mehrfach mit derselben Aufrufreihenfolge wie der Server; gleiche Einstellungen ergeben gleiche Zahlen.",
    day: "Tag",
    pastDay: "{date} – vergangen, {n} Besuche",
    upcomingDay: "{date} – geplant, {n} Eingeladene",
    desks: "Schalter je Stelle (zusätzlich oder weniger)",
    closes: "Schließt um (leer: wie geplant)",
    walkIns: "Laufkundschaft (Faktor)",
    invitations: "Einladungen",
    inv_stored: "in ihren geplanten Fenstern",
    inv_replanned: "Fenster neu planen",
    inv_none: "ohne Eingeladene",
    days: "Simulierte Tage",
    seed: "Startwert",
    run: "Vorhersage berechnen",
    running: "Simuliert … {done} von {total}",
    busy: "Die Planung rechnet gerade schon. Bitte gleich noch einmal versuchen.",
    failed: "Die Vorhersage ist fehlgeschlagen ({code}).",
    noDays: "Es gibt keine Tage zum Planen.",
    resultTitle: "Ergebnis für {date}",
    actual: "tatsächlich",
    baseline: "unverändert",
    predicted: "mit Änderungen",
    meanTime: "Zeit im Center (Mittel, Min.)",
    meanWait: "Wartezeit bis zum ersten Aufruf (Min.)",
    visitors: "Besuche",
    colAgency: "Stelle",
    colWait: "Wartezeit {which} (Min.)",
    colP90: "90 % warten höchstens (mit Änderungen)",
    chartWait: "Mittlere Wartezeit je Stelle (Minuten)",
    adviceTitle: "Personal-Empfehlung",
    advice: "Ein zusätzlicher Schalter bei {agency} spart im Mittel {gain} Minuten Zeit im Center je Person ({before} → {after}).",
    noGain: "Ein zusätzlicher Schalter brächte keiner Stelle einen messbaren Gewinn.",
    minutes: "{n} Min.",
    fieldError: "„{field}“: {message}",
  },
  en: {
    title: "Planning: what if …",
    intro: "Replay a past day or plan an upcoming one: with more or fewer desks, other opening hours, more or fewer walk-ins. The prediction simulates the day many times with the server's own call order; the same settings give the same figures.",
    day: "Day",
    pastDay: "{date} – past, {n} visits",
    upcomingDay: "{date} – upcoming, {n} invitees",
    desks: "Desks per agency (more or fewer)",
    closes: "Closes at (empty: as planned)",
    walkIns: "Walk-ins (factor)",
    invitations: "Invitations",
    inv_stored: "in their planned windows",
    inv_replanned: "plan the windows again",
    inv_none: "without invitees",
    days: "Simulated days",
    seed: "Seed",
    run: "Predict",
    running: "Simulating … {done} of {total}",
    busy: "The planner is busy with another run. Please try again shortly.",
    failed: "The prediction failed ({code}).",
    noDays: "There are no days to plan.",
    resultTitle: "Result for {date}",
    actual: "actual",
    baseline: "unchanged",
    predicted: "with changes",
    meanTime: "Time in the center (mean, min)",
    meanWait: "Wait until the first call (min)",
    visitors: "Visits",
    colAgency: "Agency",
    colWait: "Wait {which} (min)",
    colP90: "90 % wait at most (with changes)",
    chartWait: "Mean wait per agency (minutes)",
    adviceTitle: "Staffing advice",
    advice: "One more desk at {agency} saves {gain} minutes of time in the center per person on average ({before} → {after}).",
    noGain: "One more desk would bring no agency a measurable gain.",
    minutes: "{n} min",
    fieldError: "“{field}”: {message}",
  },
};

const POLL_MS = 400;

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

startAdmin({
  section: "planner",
  strings,
  render: async ({ me, center, t, lang, main, api }) => {
    const slug = encodeURIComponent(center?.slug ?? me.center ?? "");
    const base = `/api/v1/admin/centers/${slug}/planner`;
    const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
    const fmt = (v) => (v === null || v === undefined ? "–" : number.format(v));
    let names = {};
    try {
      names = (await api("GET", `/api/v1/centers/${slug}/today`)).data.agency_names ?? {};
    } catch {
      names = {};
    }
    const agencyName = (code) => names[code]?.[lang] ?? names[code]?.de ?? code;
    let listing;
    try {
      listing = (await api("GET", `${base}/days`)).data;
    } catch (err) {
      main.innerHTML = `<p class="error" role="alert">${esc(t("failed", { code: err.code || err.status || "network" }))}</p>`;
      return;
    }
    if (!listing.days.length) {
      main.innerHTML = `<section class="card"><h1>${esc(t("title"))}</h1><p>${esc(t("noDays"))}</p></section>`;
      return;
    }
    const options = listing.days
      .map((d) => `<option value="${esc(d.date)}">${esc(t(d.past ? "pastDay" : "upcomingDay", { date: d.date, n: d.past ? d.visitors : d.invitees }))}</option>`)
      .join("");
    const deskInputs = listing.agencies
      .map((a) => `<p><label for="pl-desk-${esc(a)}">${esc(agencyName(a))}</label><input id="pl-desk-${esc(a)}" data-agency="${esc(a)}" type="number" min="-5" max="5" step="1" value="0"></p>`)
      .join("");
    main.innerHTML = `
      <section class="card"><h1>${esc(t("title"))}</h1><p class="muted">${esc(t("intro"))}</p>
        <form id="pl-form">
          <p><label for="pl-day">${esc(t("day"))}</label><select id="pl-day">${options}</select></p>
          <fieldset><legend>${esc(t("desks"))}</legend><div class="inline">${deskInputs}</div></fieldset>
          <div class="inline">
            <p><label for="pl-closes">${esc(t("closes"))}</label><input id="pl-closes" type="time"></p>
            <p><label for="pl-walkins">${esc(t("walkIns"))}</label><input id="pl-walkins" type="number" min="0" max="5" step="0.1" value="1"></p>
            <p><label for="pl-inv">${esc(t("invitations"))}</label><select id="pl-inv">
              <option value="stored">${esc(t("inv_stored"))}</option><option value="replanned">${esc(t("inv_replanned"))}</option><option value="none">${esc(t("inv_none"))}</option></select></p>
            <p><label for="pl-days">${esc(t("days"))}</label><input id="pl-days" type="number" min="1" max="60" value="20"></p>
            <p><label for="pl-seed">${esc(t("seed"))}</label><input id="pl-seed" type="number" min="0" max="1000000" value="0"></p>
          </div>
          <p><button id="pl-run" class="btn primary" type="submit">${esc(t("run"))}</button></p>
          <p><progress id="pl-progress" max="1" value="0" hidden></progress> <span id="pl-status" role="status" class="flash"></span></p>
        </form></section>
      <div id="pl-result"></div>`;
    const el = (id) => document.getElementById(id);
    let chart = null;

    function body() {
      const desks = {};
      for (const input of document.querySelectorAll("[data-agency]")) {
        const n = Number(input.value || 0);
        if (n) desks[input.dataset.agency] = n;
      }
      const out = {
        date: el("pl-day").value,
        desks,
        walk_ins: Number(el("pl-walkins").value || 1),
        invitations: el("pl-inv").value,
        days: Number(el("pl-days").value || 20),
        seed: Number(el("pl-seed").value || 0),
        advise: true,
      };
      if (el("pl-closes").value) out.closes = el("pl-closes").value;
      return out;
    }

    function show(r) {
      const rows = [];
      if (r.actual) rows.push(["actual", r.actual]);
      rows.push(["baseline", r.baseline], ["predicted", r.predicted]);
      const figures = rows
        .map(([k, f]) => `<li><span class="value" data-figure="${k}">${esc(fmt(f.mean_time))}</span><span class="label">${esc(t("meanTime"))}: ${esc(t(k))}</span></li>`)
        .join("");
      const agencies = [...new Set(rows.flatMap(([, f]) => f.agencies.map((a) => a.agency)))];
      const wait = (f, a) => f.agencies.find((x) => x.agency === a);
      const head = rows.map(([k]) => `<th>${esc(t("colWait", { which: t(k) }))}</th>`).join("");
      const body = agencies
        .map(
          (a) => `<tr data-agency="${esc(a)}"><th scope="row">${esc(agencyName(a))}</th>${rows
            .map(([, f]) => `<td>${esc(fmt(wait(f, a)?.mean_wait))}</td>`)
            .join("")}<td>${esc(fmt(wait(r.predicted, a)?.p90_wait))}</td></tr>`,
        )
        .join("");
      const best = r.advice[0];
      const advice =
        best && best.gain > 0.05
          ? t("advice", { agency: agencyName(best.agency), gain: fmt(best.gain), before: fmt(best.mean_time_before), after: fmt(best.mean_time_after) })
          : t("noGain");
      const more = r.advice
        .slice(1, 4)
        .filter((a) => a.gain > 0.05)
        .map((a) => `<li>${esc(agencyName(a.agency))}: ${esc(t("minutes", { n: fmt(a.gain) }))}</li>`)
        .join("");
      el("pl-result").innerHTML = `
        <section class="card"><h2>${esc(t("resultTitle", { date: r.date }))}</h2><ul class="figures">${figures}</ul></section>
        <section class="card"><h2>${esc(t("adviceTitle"))}</h2><p id="pl-advice">${esc(advice)}</p>${more ? `<ul>${more}</ul>` : ""}</section>
        <section class="card"><h2>${esc(t("chartWait"))}</h2><div class="chart-box"><canvas id="pl-chart" aria-label="${esc(t("chartWait"))}" role="img"></canvas></div></section>
        <section class="card"><div class="table-scroll"><table id="pl-table"><thead><tr><th>${esc(t("colAgency"))}</th>${head}<th>${esc(t("colP90"))}</th></tr></thead><tbody>${body}</tbody></table></div></section>`;
      const Chart = window.Chart;
      if (!Chart) return; // the library did not load: figures and table still stand
      if (chart) chart.destroy();
      Chart.defaults.animation = false;
      Chart.defaults.color = token("--ink");
      const colours = { actual: token("--ink"), baseline: token("--pause"), predicted: token("--brand") };
      chart = new Chart(el("pl-chart"), {
        type: "bar",
        data: {
          labels: agencies.map(agencyName),
          datasets: rows.map(([k, f]) => ({ label: t(k), data: agencies.map((a) => wait(f, a)?.mean_wait ?? null), backgroundColor: colours[k] })),
        },
        options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
      });
    }

    async function poll(run) {
      const bar = el("pl-progress");
      while (run.status === "running") {
        bar.hidden = false;
        bar.max = run.total;
        bar.value = run.done;
        el("pl-status").textContent = t("running", { done: run.done, total: run.total });
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        run = (await api("GET", `${base}/runs/${encodeURIComponent(run.id)}`, { background: true })).data;
      }
      bar.hidden = true;
      return run;
    }

    el("pl-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = el("pl-run");
      const status = el("pl-status");
      button.disabled = true;
      status.className = "flash";
      try {
        const started = (await api("POST", `${base}/runs`, { body: body() })).data;
        const run = await poll(started);
        if (run.status !== "done") throw new Error(run.error ?? "failed");
        status.textContent = "";
        show(run.result);
      } catch (err) {
        status.className = "flash error";
        const first = err instanceof ApiError ? err.problem?.errors?.[0] : null;
        status.textContent =
          err instanceof ApiError && err.code === "planner_busy"
            ? t("busy")
            : first?.field
              ? t("fieldError", { field: first.field, message: first.message ?? "" })
              : t("failed", { code: err instanceof ApiError ? err.code || err.status : err.message });
      } finally {
        button.disabled = false;
      }
    });
  },
});
