// A device's first start (/pair/#code=…): the one-time code (in the fragment, so it never
// reaches a server log) is exchanged for the device's token, which is kept where the
// kiosk or display looks for it (/static/device.js); then the device opens its page.
import { request } from "/static/api.js";
import { esc } from "/static/html.js";
import { keepDevice } from "/static/device.js";

const main = document.getElementById("main");
const code = new URLSearchParams(location.hash.slice(1)).get("code");
// The code is spent by the exchange: keep it out of the history either way.
history.replaceState(null, "", location.pathname);

async function pair() {
  if (!code) {
    main.innerHTML = `<p class="error" role="alert">Kein Kopplungscode im Link. / No pairing code in the link.</p>`;
    return;
  }
  try {
    const { data } = await request("POST", "/api/v1/devices/pair", { body: { code } });
    keepDevice(data.kind, data.center, data.token);
    main.innerHTML = `<p>${esc(data.name)}: gekoppelt / paired.</p>`;
    location.replace(data.start);
  } catch (err) {
    const used = err?.code === "pairing_invalid";
    main.innerHTML = `<p class="error" role="alert">${
      used
        ? "Dieser Kopplungslink ist unbekannt, schon benutzt oder abgelaufen. Bitte in der Verwaltung einen neuen erzeugen. / This pairing link is unknown, used or expired: please make a new one."
        : "Keine Verbindung zum Server. Bitte neu laden. / No connection to the server. Please reload."
    }</p>`;
  }
}

pair();
