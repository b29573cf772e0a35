// Staff accounts (issue 12, item 3): create, reset a password (typed, or generated and
// shown once), end sessions, disable. Usernames, roles and agencies follow the config file.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { refuseNonAdmin } from "./admin-only.js";
import { startAdmin } from "./shell.js";

const strings = {
  de: {
    title: "Mitarbeitende",
    addTitle: "Zugang anlegen",
    usernameField: "Benutzername",
    role: "Rolle",
    agency: "Stelle",
    noAgency: "– keine –",
    passwordField: "Passwort (leer lassen: wird erzeugt)",
    create: "Anlegen",
    listTitle: "Zugänge",
    colUser: "Benutzername",
    colRole: "Rolle",
    colAgency: "Stelle",
    colState: "Status",
    colActions: "Aktionen",
    enabled: "aktiv",
    disabled: "gesperrt",
    sessions: "{n} Sitzung(en)",
    reset: "Passwort neu",
    endSessions: "Abmelden",
    disable: "Sperren",
    newPasswordFor: "Neues Passwort für {name} (leer lassen: wird erzeugt)",
    confirmDisable: "Den Zugang „{name}“ sperren? Alle Sitzungen enden.",
    shownOnce: "Passwort für {name} – nur jetzt sichtbar, bitte weitergeben:",
    passwordSet: "Das Passwort von {name} ist geändert; {n} Sitzung(en) beendet.",
    ended: "{name}: {n} Sitzung(en) beendet.",
    disabledDone: "{name} ist gesperrt.",
    created: "{name} ist angelegt.",
    f_username: "Benutzername: nur Buchstaben, Ziffern und . _ @ -",
    f_agency: "Stelle: Mitarbeitende am Schalter brauchen eine Stelle (Leitung und Administration keine).",
    f_role: "Bitte eine Rolle wählen.",
    f_password: "Passwort: mindestens 10 Zeichen.",
    c_user_exists: "Dieser Benutzername ist schon vergeben.",
    c_own_account: "Den eigenen Zugang können Sie nicht sperren.",
    c_other: "Das hat nicht geklappt: {detail}",
  },
  en: {
    title: "Staff",
    addTitle: "Create an account",
    usernameField: "Username",
    role: "Role",
    agency: "Agency",
    noAgency: "– none –",
    passwordField: "Password (leave empty: one is generated)",
    create: "Create",
    listTitle: "Accounts",
    colUser: "Username",
    colRole: "Role",
    colAgency: "Agency",
    colState: "State",
    colActions: "Actions",
    enabled: "active",
    disabled: "disabled",
    sessions: "{n} session(s)",
    reset: "New password",
    endSessions: "Sign out",
    disable: "Disable",
    newPasswordFor: "New password for {name} (leave empty: one is generated)",
    confirmDisable: "Disable the account “{name}”? Every session ends.",
    shownOnce: "Password for {name} – visible only now, please pass it on:",
    passwordSet: "{name}'s password is changed; {n} session(s) ended.",
    ended: "{name}: {n} session(s) ended.",
    disabledDone: "{name} is disabled.",
    created: "{name} is created.",
    f_username: "Username: letters, digits and . _ @ - only.",
    f_agency: "Agency: desk staff need an agency (lead and administrators none).",
    f_role: "Please choose a role.",
    f_password: "Password: at least 10 characters.",
    c_user_exists: "This username is taken.",
    c_own_account: "You cannot disable your own account.",
    c_other: "That did not work: {detail}",
  },
};

startAdmin({
  section: "users",
  strings,
  render: async ({ center, me, t, lang, main, api }) => {
    if (refuseNonAdmin(me, lang, main)) return;
    if (!center) {
      main.innerHTML = `<p class="error" role="alert">${esc(t("offline"))}</p>`;
      return;
    }
    const base = `/api/v1/admin/centers/${encodeURIComponent(center.slug)}/users`;
    let data = (await api("GET", base)).data;
    const agencyName = (code) => data.agency_names[code]?.[lang] ?? data.agency_names[code]?.de ?? code;
    main.innerHTML = `
      <h1>${esc(t("title"))}</h1>
      <div class="grid form-grid">
        <section class="card">
          <h2>${esc(t("addTitle"))}</h2>
          <form id="user-form" novalidate>
            <p><label for="user-name">${esc(t("usernameField"))}</label><input id="user-name" name="username" required maxlength="64" autocomplete="off"></p>
            <p><label for="user-role">${esc(t("role"))}</label><select id="user-role" name="role">${data.roles
              .map((r) => `<option value="${esc(r)}"${r === "staff" ? " selected" : ""}>${esc(t(`role_${r}`))}</option>`)
              .join("")}</select></p>
            <p><label for="user-agency">${esc(t("agency"))}</label><select id="user-agency" name="agency"><option value="">${esc(t("noAgency"))}</option>${data.agencies
              .map((a) => `<option value="${esc(a)}">${esc(agencyName(a))}</option>`)
              .join("")}</select></p>
            <p><label for="user-password">${esc(t("passwordField"))}</label><input id="user-password" name="password" type="password" autocomplete="new-password" maxlength="1024"></p>
            <p id="user-error" class="error" role="alert"></p>
            <button type="submit" class="btn primary">${esc(t("create"))}</button>
          </form>
        </section>
        <section class="card">
          <div id="secret-box" hidden></div>
          <h2>${esc(t("listTitle"))}</h2>
          <p id="users-flash" class="flash" role="status"></p>
          <div class="table-scroll" id="users-table"></div>
        </section>
      </div>`;
    const form = document.getElementById("user-form");
    const flash = document.getElementById("users-flash");

    function table() {
      document.getElementById("users-table").innerHTML = `<table><thead><tr><th>${esc(t("colUser"))}</th><th>${esc(t("colRole"))}</th>
        <th>${esc(t("colAgency"))}</th><th>${esc(t("colState"))}</th><th>${esc(t("colActions"))}</th></tr></thead><tbody>${data.users
          .map((u) => `<tr data-user="${esc(u.username)}"><td>${esc(u.username)}</td><td>${esc(t(`role_${u.role}`))}</td>
            <td>${u.agency ? esc(agencyName(u.agency)) : ""}</td>
            <td>${u.enabled ? `<span class="badge ok">${esc(t("enabled"))}</span>` : `<span class="badge warn">${esc(t("disabled"))}</span>`}
              ${u.sessions ? `<br><span class="muted small">${esc(t("sessions", { n: u.sessions }))}</span>` : ""}</td>
            <td class="actions"><button type="button" class="btn small" data-reset="${esc(u.username)}">${esc(t("reset"))}</button>
              ${u.sessions ? `<button type="button" class="btn small" data-end="${esc(u.username)}">${esc(t("endSessions"))}</button>` : ""}
              ${u.enabled && u.username !== me.name ? `<button type="button" class="btn small danger" data-disable="${esc(u.username)}">${esc(t("disable"))}</button>` : ""}</td></tr>`)
          .join("")}</tbody></table>`;
    }

    function showSecret(name, password) {
      const box = document.getElementById("secret-box");
      if (!password) {
        box.hidden = true;
        box.innerHTML = "";
        return;
      }
      box.innerHTML = `<div class="alert notice"><p>${esc(t("shownOnce", { name }))}</p><p><span class="secret" id="shown-password">${esc(password)}</span></p></div>`;
      box.hidden = false;
    }

    function problemText(err) {
      const code = err instanceof ApiError ? err.code : "";
      const field = err?.problem?.errors?.[0]?.field;
      if (err?.status === 422 && ["username", "agency", "role", "password"].includes(field)) return t(`f_${field}`);
      if (code === "user_exists" || code === "own_account") return t(`c_${code}`);
      if (err?.kind === "network") return t("offline");
      return t("c_other", { detail: err?.detail || err?.message || "" });
    }

    async function reload() {
      data = (await api("GET", base)).data;
      table();
    }

    table();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const errorEl = document.getElementById("user-error");
      errorEl.textContent = "";
      const body = {
        username: form.elements.username.value.trim(),
        role: form.elements.role.value,
        agency: form.elements.agency.value || null,
        password: form.elements.password.value || null,
      };
      try {
        const created = (await api("POST", base, { body })).data;
        showSecret(created.user.username, created.password);
        flash.textContent = t("created", { name: created.user.username });
        form.reset();
      } catch (err) {
        errorEl.textContent = problemText(err); // what was typed stays
        return;
      }
      await reload();
    });

    document.getElementById("users-table").addEventListener("click", async (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      const { reset, end, disable } = button.dataset;
      flash.textContent = "";
      try {
        if (reset) {
          const given = window.prompt(t("newPasswordFor", { name: reset }), "");
          if (given === null) return;
          const done = (await api("POST", `${base}/${encodeURIComponent(reset)}/password`, { body: { password: given || null } })).data;
          showSecret(reset, done.password);
          flash.textContent = t("passwordSet", { name: reset, n: done.sessions_ended });
        } else if (end) {
          const done = (await api("POST", `/api/v1/admin/users/${encodeURIComponent(end)}/end-sessions`)).data;
          flash.textContent = t("ended", { name: end, n: done.ended });
        } else if (disable) {
          if (!window.confirm(t("confirmDisable", { name: disable }))) return;
          await api("POST", `${base}/${encodeURIComponent(disable)}/disable`);
          flash.textContent = t("disabledDone", { name: disable });
        }
      } catch (err) {
        flash.textContent = problemText(err);
      }
      await reload();
    });
  },
});
