// Kiosks and displays (issue 12, item 3): create one and pair it by a one-time link or QR
// code (shown once), pair anew, revoke (the device is refused at once). No token is ever
// shown here: the device receives its own when it opens the link.
import { ApiError } from "/static/api.js";
import { esc } from "/static/html.js";
import { refuseNonAdmin } from "./admin-only.js";
import { startAdmin } from "./shell.js";

const strings = {
  de: {
    title: "Geräte",
    intro: "Kiosk-Terminals und Wartebereich-Bildschirme. Ein neues Gerät öffnet einmal den Kopplungslink (oder scannt den QR-Code) und behält danach seinen Zugang.",
    addTitle: "Gerät hinzufügen",
    name: "Name (a–z, 0–9, -)",
    kind: "Art",
    kiosk: "Kiosk (Anmeldung)",
    display: "Bildschirm (Wartebereich)",
    create: "Anlegen und Kopplungslink zeigen",
    listTitle: "Geräte des Centers",
    colName: "Name",
    colKind: "Art",
    colState: "Status",
    colActions: "Aktionen",
    paired: "in Betrieb",
    pending: "wartet auf Kopplung bis {time}",
    pairAgain: "Neu koppeln",
    revoke: "Sperren",
    confirmRevoke: "„{name}“ sperren? Das Gerät wird sofort abgewiesen.",
    revoked: "„{name}“ ist gesperrt.",
    pairingTitle: "Kopplung für „{name}“",
    pairingHelp: "Öffnen Sie diesen Link einmal auf dem Gerät oder scannen Sie den QR-Code. Er gilt bis {time} und nur einmal. Er wird nur jetzt angezeigt.",
    qrAlt: "QR-Code mit dem Kopplungslink",
    done: "Fertig",
    none: "Noch keine Geräte.",
    r_name: "Name: nur Kleinbuchstaben, Ziffern, - und _.",
    r_kind: "Bitte die Art wählen.",
    c_device_exists: "Ein Gerät mit diesem Namen gibt es schon.",
    c_other: "Das hat nicht geklappt: {detail}",
  },
  en: {
    title: "Devices",
    intro: "Check-in kiosks and waiting-room screens. A new device opens the pairing link once (or scans the QR code) and keeps its access afterwards.",
    addTitle: "Add a device",
    name: "Name (a–z, 0–9, -)",
    kind: "Kind",
    kiosk: "Kiosk (check-in)",
    display: "Display (waiting room)",
    create: "Create and show the pairing link",
    listTitle: "The center's devices",
    colName: "Name",
    colKind: "Kind",
    colState: "State",
    colActions: "Actions",
    paired: "in use",
    pending: "waiting to pair until {time}",
    pairAgain: "Pair again",
    revoke: "Revoke",
    confirmRevoke: "Revoke “{name}”? The device is refused at once.",
    revoked: "“{name}” is revoked.",
    pairingTitle: "Pairing for “{name}”",
    pairingHelp: "Open this link once on the device or scan the QR code. It works until {time}, once only. It is shown only now.",
    qrAlt: "QR code with the pairing link",
    done: "Done",
    none: "No devices yet.",
    r_name: "Name: lower-case letters, digits, - and _ only.",
    r_kind: "Please choose the kind.",
    c_device_exists: "A device with this name exists already.",
    c_other: "That did not work: {detail}",
  },
};

startAdmin({
  section: "devices",
  strings,
  render: async ({ me, center, t, lang, main, api }) => {
    if (refuseNonAdmin(me, lang, main)) return;
    if (!center) {
      main.innerHTML = `<p class="error" role="alert">${esc(t("offline"))}</p>`;
      return;
    }
    const base = `/api/v1/admin/centers/${encodeURIComponent(center.slug)}/devices`;
    const time = (iso) => new Date(iso).toLocaleString(lang === "de" ? "de-DE" : "en-GB", { dateStyle: "short", timeStyle: "short" });
    main.innerHTML = `
      <h1>${esc(t("title"))}</h1>
      <p class="muted">${esc(t("intro"))}</p>
      <div class="grid form-grid">
        <section class="card">
          <h2>${esc(t("addTitle"))}</h2>
          <form id="device-form" novalidate>
            <p><label for="device-name">${esc(t("name"))}</label><input id="device-name" name="name" required maxlength="64" autocomplete="off"></p>
            <fieldset><legend>${esc(t("kind"))}</legend>
              <label class="check"><input type="radio" name="kind" value="kiosk" checked> ${esc(t("kiosk"))}</label>
              <label class="check"><input type="radio" name="kind" value="display"> ${esc(t("display"))}</label>
            </fieldset>
            <p id="device-error" class="error" role="alert"></p>
            <button type="submit" class="btn primary">${esc(t("create"))}</button>
          </form>
        </section>
        <section class="card">
          <div id="pairing" hidden></div>
          <h2>${esc(t("listTitle"))}</h2>
          <p id="devices-flash" class="flash" role="status"></p>
          <div class="table-scroll" id="devices-table"></div>
        </section>
      </div>`;
    const form = document.getElementById("device-form");
    const errorEl = document.getElementById("device-error");
    const flash = document.getElementById("devices-flash");
    let devices = [];

    async function load() {
      devices = (await api("GET", base)).data;
      document.getElementById("devices-table").innerHTML = devices.length
        ? `<table><thead><tr><th>${esc(t("colName"))}</th><th>${esc(t("colKind"))}</th><th>${esc(t("colState"))}</th><th>${esc(t("colActions"))}</th></tr></thead><tbody>${devices
            .map((d) => `<tr data-device="${esc(d.name)}"><td>${esc(d.name)}</td><td>${esc(t(d.kind))}</td>
              <td>${d.pairing_pending ? `<span class="badge pause">${esc(t("pending", { time: time(d.pairing_expires_at) }))}</span>` : `<span class="badge ok">${esc(t("paired"))}</span>`}</td>
              <td class="actions"><button type="button" class="btn small" data-pair="${esc(d.name)}">${esc(t("pairAgain"))}</button>
              <button type="button" class="btn small danger" data-revoke="${esc(d.name)}">${esc(t("revoke"))}</button></td></tr>`)
            .join("")}</tbody></table>`
        : `<p class="muted">${esc(t("none"))}</p>`;
    }

    function showPairing(created) {
      const box = document.getElementById("pairing");
      const { device, pairing } = created;
      box.innerHTML = `<div class="alert notice">
        <h2>${esc(t("pairingTitle", { name: device.name }))}</h2>
        <p>${esc(t("pairingHelp", { time: time(pairing.expires_at) }))}</p>
        <img class="qr" src="${esc(pairing.qr_svg)}" alt="${esc(t("qrAlt"))}">
        <p><a class="secret" id="pairing-link" href="${esc(pairing.url)}">${esc(pairing.url)}</a></p>
        <button type="button" class="btn small" id="pairing-done">${esc(t("done"))}</button></div>`;
      box.hidden = false;
      document.getElementById("pairing-done").addEventListener("click", () => {
        box.hidden = true;
        box.innerHTML = ""; // the code is not kept on the page
      });
    }

    function problemText(err) {
      const code = err instanceof ApiError ? err.code : "";
      const field = err?.problem?.errors?.[0]?.field;
      if (err?.status === 422 && (field === "name" || field === "kind")) return t(`r_${field}`);
      if (code === "device_exists") return t("c_device_exists");
      if (err?.kind === "network") return t("offline");
      return t("c_other", { detail: err?.detail || err?.message || "" });
    }

    await load();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      errorEl.textContent = "";
      const body = { name: form.elements.name.value.trim(), kind: form.elements.kind.value };
      try {
        const created = (await api("POST", base, { body })).data;
        showPairing(created);
        form.reset();
      } catch (err) {
        errorEl.textContent = problemText(err); // the name stays as typed
        form.elements.name.setAttribute("aria-invalid", "true");
        return;
      }
      form.elements.name.removeAttribute("aria-invalid");
      await load();
    });

    document.getElementById("devices-table").addEventListener("click", async (event) => {
      const button = event.target.closest("button");
      if (!button) return;
      flash.textContent = "";
      try {
        if (button.dataset.pair) {
          showPairing((await api("POST", `${base}/${encodeURIComponent(button.dataset.pair)}/pairing`)).data);
        } else if (button.dataset.revoke) {
          const name = button.dataset.revoke;
          if (!window.confirm(t("confirmRevoke", { name }))) return;
          await api("DELETE", `${base}/${encodeURIComponent(name)}`);
          flash.textContent = t("revoked", { name });
        }
      } catch (err) {
        flash.textContent = problemText(err);
      }
      await load();
    });
  },
});
