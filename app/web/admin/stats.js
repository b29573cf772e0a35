// The statistics page (issue 12, item 2): a date range (default the last 30 days), an
// agency and a need to narrow it, the figures at a glance, four charts (Chart.js, served
// from /admin/vendor/chartjs/, colours from tokens.css), the tables with a CSV download
// each, the referral matrix and the languages served. Everything from
// GET /api/v1/centers/{slug}/stats (docs/api.md §12); minutes throughout.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { startAdmin } from "./shell.js";
import strings from "./stats.strings.js";

const DAY_MS = 86400000;

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function shiftDay(iso, days) {
  return isoDay(new Date(Date.parse(`${iso}T12:00:00Z`) + days * DAY_MS));
}

/** Colours come from the design tokens, never literals here. */
function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function render({ center, t, lang, main, api }) {
  if (!center) {
    main.innerHTML = `<p class="error" role="alert">${esc(t("failed"))}</p>`;
    return;
  }
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const dates = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" });
  const shortDates = new Intl.DateTimeFormat(lang, { day: "2-digit", month: "2-digit", timeZone: "UTC" });
  const languageNames = new Intl.DisplayNames([lang], { type: "language" });
  const day = (iso) => dates.format(new Date(`${iso}T00:00:00Z`));
  const min = (value) => (value === null || value === undefined ? t("none") : t("minutes", { n: numbers.format(value) }));
  const num = (value) => (value === null || value === undefined ? t("none") : numbers.format(value));
  const langName = (code) => {
    try {
      return languageNames.of(code) ?? code;
    } catch {
      return code;
    }
  };
  let names = { agencies: {}, needs: {} };
  const agencyName = (code) => names.agencies[code]?.[lang] ?? names.agencies[code]?.de ?? code;
  const needName = (code) => names.needs[code]?.[lang] ?? names.needs[code]?.de ?? code;
  const charts = [];

  const now = new Date(); // the browser's local date: the center's, at a desk in the center
  const today = isoDay(new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())));
  const params = new URLSearchParams(location.search);
  const state = {
    to: params.get("to") ?? today,
    from: params.get("from") ?? shiftDay(today, -29),
    agency: params.get("agency") ?? "",
    need: params.get("need") ?? "",
    site: params.get("site") ?? "",
  };

  main.innerHTML = `
    <section class="card">
      <div class="card-head"><h1>${esc(t("title"))}</h1>
        <a id="csv-summary" class="btn small" download>${esc(t("csvSummary"))}</a></div>
      <form id="stats-filter" class="stats-filter">
        <p><label for="stats-from">${esc(t("from"))}</label><input id="stats-from" type="date" required></p>
        <p><label for="stats-to">${esc(t("to"))}</label><input id="stats-to" type="date" required></p>
        <p><label for="stats-agency">${esc(t("agency"))}</label><select id="stats-agency"></select></p>
        <p><label for="stats-need">${esc(t("need"))}</label><select id="stats-need"></select></p>
        <p id="stats-site-field" hidden><label for="stats-site">${esc(t("site"))}</label><select id="stats-site"></select></p>
        <p><button type="submit" class="btn primary">${esc(t("show"))}</button></p>
        <p class="presets">
          <button type="button" class="btn small" data-days="7">${esc(t("last7"))}</button>
          <button type="button" class="btn small" data-days="30">${esc(t("last30"))}</button>
          <button type="button" class="btn small" data-days="365">${esc(t("last365"))}</button>
        </p>
      </form>
      <p id="stats-note" class="stats-note"></p>
      <p id="stats-error" class="error" role="alert"></p>
    </section>
    <ul id="stats-figures" class="figures stats-figures" aria-live="polite"></ul>
    <div class="stats-charts">
      <section class="card"><h2>${esc(t("chartDays"))}</h2><div class="chart-box"><canvas id="chart-days" role="img" aria-label="${esc(t("chartDays"))}"></canvas></div></section>
      <section class="card"><h2>${esc(t("chartAgencies"))}</h2><div class="chart-box"><canvas id="chart-agencies" role="img" aria-label="${esc(t("chartAgencies"))}"></canvas></div></section>
      <section class="card"><h2>${esc(t("chartHours"))}</h2><div class="chart-box"><canvas id="chart-hours" role="img" aria-label="${esc(t("chartHours"))}"></canvas></div></section>
      <section class="card"><h2>${esc(t("chartLanguages"))}</h2><div class="chart-box"><canvas id="chart-languages" role="img" aria-label="${esc(t("chartLanguages"))}"></canvas></div></section>
    </div>
    <div id="stats-tables" class="stats-tables"></div>`;

  const el = (id) => document.getElementById(id);
  const form = el("stats-filter");

  function query(extra = {}) {
    const q = new URLSearchParams({ from: state.from, to: state.to, ...extra });
    if (state.agency) q.set("agency", state.agency);
    if (state.need) q.set("need", state.need);
    if (state.site) q.set("site", state.site);
    return q;
  }

  function csvHref(table) {
    return `/api/v1/centers/${encodeURIComponent(center.slug)}/stats.csv?${query({ table })}`;
  }

  function csvLink(table, title) {
    return `<a class="btn small" download href="${esc(csvHref(table))}" aria-label="${esc(t("csvLabel", { table: title }))}">${esc(t("csv"))}</a>`;
  }

  function fillSelect(select, entries, chosen) {
    select.innerHTML =
      `<option value="">${esc(t("all"))}</option>` +
      entries.map(([code, label]) => `<option value="${esc(code)}"${code === chosen ? " selected" : ""}>${esc(label)}</option>`).join("");
  }

  function figure(label, value, sub = "") {
    return `<li><span class="label">${esc(label)}</span><span class="value">${esc(value)}</span>${sub ? `<span class="sub">${esc(sub)}</span>` : ""}</li>`;
  }

  function figuresHtml(s) {
    const x = s.totals;
    const share = x.invited_share === null ? "" : t("invitedShare", { share: percent.format(x.invited_share) });
    const p90 = (d) => (d.p90 === null ? "" : t("medianP90", { p90: numbers.format(d.p90) }));
    return [
      figure(t("visitors"), num(x.visitors), share),
      s.turnout
        ? figure(t("turnout"), percent.format(s.turnout.turnout), t("turnoutSub", { came: num(s.turnout.came), invited: num(s.turnout.invitations) }))
        : "",
      figure(t("firstWait"), min(x.first_wait.median), p90(x.first_wait)),
      figure(t("service"), min(x.service.median), p90(x.service)),
      figure(t("stay"), min(x.stay.median), p90(x.stay)),
      figure(t("noShows"), num(x.no_shows), t("misses", { n: num(x.misses) })),
      figure(t("cancelled"), num(x.cancelled)),
      figure(t("leaveBy"), x.leave_by_share === null ? t("none") : percent.format(x.leave_by_share), t("leaveBySub", { met: num(x.leave_by_met), given: num(x.leave_by_given) })),
      figure(t("referrals"), num(x.referrals)),
      figure(t("joint"), num(x.joint_consultations)),
      figure(t("unshared"), num(x.unshared_language_calls), t("unsharedSub")),
    ].join("");
  }

  function table(title, key, head, rows, { wide = false, note = "" } = {}) {
    const body = rows.length
      ? `<div class="table-scroll"><table><thead><tr>${head.map(([label, cls]) => `<th scope="col"${cls ? ` class="${cls}"` : ""}>${esc(label)}</th>`).join("")}</tr></thead>
         <tbody>${rows.map((cells) => `<tr>${cells.map(([value, cls]) => `<td${cls ? ` class="${cls}"` : ""}>${esc(value)}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
      : `<p class="muted">${esc(t("emptyTable"))}</p>`;
    return `<section class="card${wide ? " wide" : ""}" data-table="${esc(key)}"><div class="card-head"><h2>${esc(title)}</h2>${csvLink(key, title)}</div>${body}${note ? `<p class="stats-note">${esc(note)}</p>` : ""}</section>`;
  }

  function matrixHtml(s) {
    const title = t("tableReferrals");
    const from = [...new Set(s.referrals.map((r) => r.from_agency))];
    const to = [...new Set(s.referrals.map((r) => r.to_agency))];
    if (!from.length) return table(title, "referrals", [], []);
    const counts = new Map(s.referrals.map((r) => [`${r.from_agency}>${r.to_agency}`, r.count]));
    const top = Math.max(...counts.values());
    const heat = (n) => (n === 0 ? "" : ` heat-${Math.min(3, Math.ceil((3 * n) / top))}`);
    const head = `<tr><th scope="col">${esc(t("colFromTo"))}</th>${to.map((code) => `<th scope="col" class="num">${esc(agencyName(code))}</th>`).join("")}</tr>`;
    const rows = from
      .map((src) => `<tr><th scope="row">${esc(agencyName(src))}</th>${to
        .map((dst) => {
          const n = counts.get(`${src}>${dst}`) ?? 0;
          return `<td class="num${heat(n)}">${n ? esc(num(n)) : ""}</td>`;
        })
        .join("")}</tr>`)
      .join("");
    return `<section class="card" data-table="referrals"><div class="card-head"><h2>${esc(title)}</h2>${csvLink("referrals", title)}</div>
      <div class="table-scroll"><table class="matrix"><thead>${head}</thead><tbody>${rows}</tbody></table></div></section>`;
  }

  function tablesHtml(s) {
    const n = (v) => [num(v), "num"];
    const m = (v) => [v === null ? t("none") : numbers.format(v), "num"];
    const stepHead = [
      [t("colSteps"), "num"],
      [t("colDone"), "num"],
      [t("colNoShows"), "num"],
      [t("colWaitMedian"), "num"],
      [t("colWaitP90"), "num"],
      [t("colServiceMedian"), "num"],
    ];
    const stepCells = (r) => [n(r.steps), n(r.done), n(r.no_shows), m(r.wait.median), m(r.wait.p90), m(r.service.median)];
    return [
      table(
        t("tableAgencies"),
        "agencies",
        [[t("colAgency")], ...stepHead, [t("colReferredIn"), "num"], [t("colReferredOut"), "num"]],
        s.agencies.map((r) => [[agencyName(r.agency)], ...stepCells(r), n(r.referred_in), n(r.referred_out)]),
        { wide: true },
      ),
      table(t("tableNeeds"), "needs", [[t("colNeed")], ...stepHead], s.needs.map((r) => [[needName(r.need)], ...stepCells(r)]), { wide: true }),
      matrixHtml(s),
      table(
        t("tableJoint"),
        "joint",
        [[t("colHost")], [t("colJoined")], [t("colCount"), "num"]],
        s.joint.map((r) => [[agencyName(r.host_agency)], [agencyName(r.agency)], n(r.count)]),
      ),
      s.site_names.length
        ? table(t("tableSites"), "sites", [[t("site")], [t("colVisitors"), "num"]], s.sites.map((r) => [[r.site ?? t("atCenter")], n(r.visitors)]))
        : "",
      table(
        t("tableLanguages"),
        "languages",
        [[t("colLanguage")], [t("colVisitors"), "num"], [t("colUnshared"), "num"]],
        s.languages.map((r) => [[langName(r.language)], n(r.visitors), n(r.unshared_language_calls)]),
      ),
      table(
        t("tableDays"),
        "days",
        [[t("colDate")], [t("colVisitors"), "num"], [t("colWaitMedian"), "num"], [t("colWaitP90"), "num"], [t("colStayMean"), "num"], [t("colNoShows"), "num"], [t("colCancelled"), "num"]],
        s.days.map((r) => [[day(r.date)], n(r.visitors), m(r.wait_median), m(r.wait_p90), m(r.stay_mean), n(r.no_shows), n(r.cancelled)]),
        { note: s.invitations_known ? "" : t("turnoutLater") },
      ),
    ].join("");
  }

  function drawCharts(s) {
    for (const chart of charts.splice(0)) chart.destroy();
    const Chart = window.Chart;
    if (!Chart) return; // the library did not load: figures and tables still stand
    const ink = token("--ink");
    const grid = token("--line-soft");
    const brand = token("--brand");
    const accent = token("--pause");
    const ok = token("--ok");
    const warn = token("--warn");
    const light = token("--navy-100");
    // Long agency names (a district's "Teilhabemanagement Kreis …") end with "…" on an axis.
    const short = (label) => (label.length > 28 ? `${label.slice(0, 27)}…` : label);
    Chart.defaults.color = ink;
    Chart.defaults.borderColor = grid;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false; // a report, not a show: no motion on every reload
    const common = { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } };
    charts.push(
      new Chart(el("chart-days"), {
        data: {
          labels: s.days.map((r) => shortDates.format(new Date(`${r.date}T00:00:00Z`))),
          datasets: [
            // Lines over the bars (a lower order is drawn later), the bars in a light tone.
            { type: "bar", label: t("seriesVisitors"), data: s.days.map((r) => r.visitors), backgroundColor: light, yAxisID: "y", order: 2 },
            { type: "line", label: t("seriesWaitMedian"), data: s.days.map((r) => r.wait_median), borderColor: accent, backgroundColor: accent, yAxisID: "wait", pointRadius: 2, order: 1 },
            { type: "line", label: t("seriesWaitP90"), data: s.days.map((r) => r.wait_p90), borderColor: warn, backgroundColor: warn, borderDash: [4, 3], yAxisID: "wait", pointRadius: 0, order: 1 },
          ],
        },
        options: {
          ...common,
          scales: {
            y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
            wait: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
          },
        },
      }),
      new Chart(el("chart-agencies"), {
        type: "bar",
        data: {
          labels: s.agencies.map((r) => agencyName(r.agency)),
          datasets: [
            { label: t("seriesWait"), data: s.agencies.map((r) => r.wait.median), backgroundColor: accent },
            { label: t("seriesService"), data: s.agencies.map((r) => r.service.median), backgroundColor: ok },
          ],
        },
        options: {
          ...common,
          indexAxis: "y",
          scales: { x: { beginAtZero: true }, y: { ticks: { callback(value) { return short(this.getLabelForValue(value)); } } } },
        },
      }),
      new Chart(el("chart-hours"), {
        type: "bar",
        data: {
          labels: s.hours.map((r) => t("hourLabel", { h: r.hour })),
          datasets: [{ label: t("seriesArrivals"), data: s.hours.map((r) => r.arrivals), backgroundColor: brand }],
        },
        options: { ...common, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      new Chart(el("chart-languages"), {
        type: "bar",
        data: {
          labels: s.languages.map((r) => langName(r.language)),
          datasets: [{ label: t("colVisitors"), data: s.languages.map((r) => r.visitors), backgroundColor: ok }],
        },
        options: { ...common, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    );
  }

  // Each load has a number: a poll for days still being computed stops once another
  // range is asked for.
  let generation = 0;
  const POLL_MS = 3000;

  async function load({ poll = false } = {}) {
    const mine = poll ? generation : ++generation;
    if (!poll) {
      el("stats-from").value = state.from;
      el("stats-to").value = state.to;
      el("stats-error").textContent = "";
      el("stats-note").textContent = t("loading");
      history.replaceState(null, "", `?${query()}`);
    }
    let s;
    // The server reads at most a month of days without a rollup while we wait; more are
    // counted in pending_days while it builds them, and we ask again.
    try {
      s = (await api("GET", `/api/v1/centers/${encodeURIComponent(center.slug)}/stats?${query()}`, { timeout: 30000 })).data;
    } catch (err) {
      if (mine !== generation) return;
      el("stats-note").textContent = "";
      const detail = err instanceof ApiError && err.status === 422 ? (err.problem?.errors ?? []).map((e) => e.field).join(", ") : "";
      el("stats-error").textContent = detail ? t("badRange", { detail }) : t("failed");
      return;
    }
    if (mine !== generation) return; // another range was asked for meanwhile
    names = { agencies: s.agency_names, needs: s.need_names };
    fillSelect(el("stats-agency"), Object.keys(s.agency_names).map((code) => [code, agencyName(code)]), state.agency);
    fillSelect(el("stats-need"), Object.keys(s.need_names).map((code) => [code, needName(code)]), state.need);
    // Sites exist once the center has mobile days (docs/api.md §11).
    el("stats-site-field").hidden = !s.site_names.length;
    fillSelect(el("stats-site"), [["-", t("atCenter")], ...s.site_names.map((name) => [name, name])], state.site);
    el("stats-note").textContent = s.pending_days
      ? t("pending", { n: numbers.format(s.pending_days) })
      : t("rangeNote", { from: day(s.from), to: day(s.to) }) + (s.totals.visitors ? "" : ` · ${t("noData")}`);
    document.body.dataset.statsPending = String(s.pending_days);
    if (s.pending_days) setTimeout(() => mine === generation && load({ poll: true }), POLL_MS);
    el("csv-summary").href = csvHref("summary");
    el("stats-figures").innerHTML = figuresHtml(s);
    el("stats-tables").innerHTML = tablesHtml(s);
    drawCharts(s);
    document.body.dataset.statsLoaded = `${s.from}/${s.to}/${state.agency}/${state.need}/${state.site}`;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.from = el("stats-from").value;
    state.to = el("stats-to").value;
    state.agency = el("stats-agency").value;
    state.need = el("stats-need").value;
    state.site = el("stats-site").value;
    load();
  });
  for (const button of form.querySelectorAll("[data-days]")) {
    button.addEventListener("click", () => {
      state.to = today;
      state.from = shiftDay(today, 1 - Number(button.dataset.days));
      load();
    });
  }
  return load();
}

startAdmin({ section: "stats", strings, render });
