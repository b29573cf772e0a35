// The administration pages' frame (served at /admin/): sign-in with the staff session
// cookie (docs/api.md §7: api.js adds the CSRF token to writes), the header with the
// center and the navigation, German first with English available. Each section is its
// own page (<section>.html + <section>.js) that calls startAdmin() with its strings and
// a render function; the frame never knows what a section shows.

import { ApiError, request } from "/static/api.js";
import { esc } from "/static/html.js";
import shellStrings from "./shell.strings.js";

export const UI_LANGUAGES = ["de", "en"];
const LANG_KEY = "wc.admin.lang";

// [section, page]: one line per section page; a section adds itself here.
export const SECTIONS = [
  ["overview", "/admin/"],
  ["stats", "/admin/stats.html"],
  ["invitations", "/admin/invitations.html"],
  ["planner", "/admin/planner.html"],
  ["days", "/admin/days.html"],
  ["devices", "/admin/devices.html"],
  ["users", "/admin/users.html"],
];

// Roles that may open the administration pages; the API decides what each may do.
const ADMIN_ROLES = new Set(["admin", "lead"]);

function storedLang() {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

export function lang() {
  const code = storedLang();
  return UI_LANGUAGES.includes(code) ? code : "de";
}

function setLang(code) {
  try {
    localStorage.setItem(LANG_KEY, code);
  } catch {
    /* storage off: this page view still switches */
  }
}

/**
 * A translator over catalogues {de: {...}, en: {...}}: the section's first, then the
 * frame's; a missing key falls back to German, never to the key on screen unless no
 * catalogue has it. Placeholders are {name}.
 */
export function translator(...catalogues) {
  const code = lang();
  return (key, vars = {}) => {
    let text;
    for (const cat of catalogues) {
      text = cat[code]?.[key] ?? cat.de?.[key];
      if (text !== undefined) break;
    }
    if (text === undefined) text = key;
    return String(text).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
  };
}

const el = (id) => document.getElementById(id);

/** The API with the session cookie; a lapsed session shows the sign-in form again. */
export async function api(method, path, options = {}) {
  try {
    return await request(method, path, options);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showLogin();
    }
    throw err;
  }
}

function frameHtml(t, me, center, section) {
  const links = SECTIONS.map(
    ([name, href]) =>
      `<a href="${esc(href)}"${name === section ? ' aria-current="page"' : ""}>${esc(t(`nav_${name}`))}</a>`,
  ).join("");
  const langs = UI_LANGUAGES.map(
    (code) =>
      `<button type="button" class="btn small" data-lang="${code}" lang="${code}" aria-pressed="${code === lang()}">${esc(shellStrings[code].langName)}</button>`,
  ).join("");
  return `
    <strong class="center">${esc(center?.name ?? "Welcome-Center")}</strong>
    <nav class="sections" aria-label="${esc(t("navLabel"))}">${links}</nav>
    <span class="who">${esc(t("signedInAs", { name: me.name, role: t(`role_${me.role}`) }))}</span>
    <div class="lang-switch" role="group" aria-label="${esc(t("language"))}">${langs}</div>
    <button type="button" id="admin-logout" class="btn small">${esc(t("logout"))}</button>`;
}

let loginResolve = null;

function showLogin(message = "") {
  const t = translator(shellStrings);
  el("admin-top").innerHTML = `<strong class="center">Welcome-Center</strong>`;
  el("admin-main").innerHTML = `
    <section class="card narrow">
      <h1>${esc(t("signIn"))}</h1>
      <form id="admin-login" autocomplete="on">
        <p><label for="admin-user">${esc(t("username"))}</label><input id="admin-user" name="username" autocomplete="username" required></p>
        <p><label for="admin-password">${esc(t("password"))}</label><input id="admin-password" name="password" type="password" autocomplete="current-password" required></p>
        <p id="admin-login-error" class="error" role="alert">${esc(message)}</p>
        <button type="submit" class="btn primary">${esc(t("signIn"))}</button>
      </form>
    </section>`;
  el("admin-login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { username: el("admin-user").value.trim(), password: el("admin-password").value };
    try {
      await request("POST", "/api/v1/auth/login", { body });
      location.reload();
    } catch (err) {
      const code = err instanceof ApiError ? err.code : "";
      const key = err?.status === 429 ? "tooManyAttempts" : code === "csrf_failed" ? "otherSite" : err?.kind === "network" ? "offline" : "loginFailed";
      el("admin-login-error").textContent = t(key);
    }
  });
  el("admin-user").focus();
}

async function whoAmI() {
  try {
    return (await request("GET", "/api/v1/auth/me")).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/**
 * Start a section page: sign in if needed, draw the frame, then render(ctx) with
 * ctx = {me, center: {slug, name}, t, lang, main, api}. `strings` is the section's
 * catalogue {de: {...}, en: {...}}.
 */
export async function startAdmin({ section, strings = {}, render }) {
  const t = translator(strings, shellStrings);
  document.documentElement.lang = lang();
  document.title = `${t(`nav_${section}`)} – Welcome-Center`;
  let me;
  try {
    me = await whoAmI();
  } catch {
    el("admin-main").innerHTML = `<p class="error" role="alert">${esc(t("offline"))}</p>`;
    return;
  }
  if (!me) {
    showLogin();
    return;
  }
  if (!ADMIN_ROLES.has(me.role)) {
    el("admin-top").innerHTML = `<strong class="center">Welcome-Center</strong>`;
    el("admin-main").innerHTML = `<section class="card narrow"><h1>${esc(t("notAdminTitle"))}</h1><p>${esc(t("notAdmin"))}</p>
      <p><a class="btn" href="/staff/">${esc(t("toDesk"))}</a> <button type="button" id="admin-logout" class="btn">${esc(t("logout"))}</button></p></section>`;
    el("admin-logout").addEventListener("click", logout);
    return;
  }
  let center = null;
  try {
    center = (await request("GET", "/api/v1/me/center")).data;
  } catch {
    center = null; // the frame still works; a section that needs the center says so
  }
  el("admin-top").innerHTML = frameHtml(t, me, center, section);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      setLang(button.dataset.lang);
      location.reload();
    });
  }
  el("admin-logout").addEventListener("click", logout);
  const main = el("admin-main");
  main.innerHTML = "";
  await render({ me, center, t, lang: lang(), main, api });
}

async function logout() {
  try {
    await request("POST", "/api/v1/auth/logout");
  } catch {
    /* signed out already, or offline: the sign-in form shows either way */
  }
  location.href = "/admin/";
}
