// The desk's forms (finish, hold, refer on, ask to join, shared note) in one modal
// <dialog>: each returns a Promise of the body to send, or null when cancelled (Esc).

import { esc } from "/static/html.js";
import { agencyName, needName, needs, presentAgencies } from "./labels.js";
import { t } from "./strings.js";

const dialog = () => document.getElementById("form-dialog");

/**
 * Show a form; resolve with collect(form) on submit (a string from collect is an error
 * shown in the form, which stays open), or null when cancelled.
 */
function ask({ title, body, submit, collect, testid }) {
  const box = dialog();
  box.dataset.testid = testid;
  box.innerHTML = `<form method="dialog" class="dialog-form" id="${esc(testid)}">
      <h2>${esc(title)}</h2>
      ${body}
      <p class="error" role="alert" data-form-error></p>
      <div class="dialog-actions">
        <button type="submit" class="btn primary" value="ok">${esc(submit)}</button>
        <button type="button" class="btn" data-cancel>${esc(t("cancel"))} <kbd>Esc</kbd></button>
      </div></form>`;
  return new Promise((resolve) => {
    const form = box.querySelector("form");
    const done = (value) => {
      box.removeEventListener("cancel", onCancel);
      if (box.open) box.close();
      resolve(value);
    };
    const onCancel = () => done(null);
    box.addEventListener("cancel", onCancel);
    form.querySelector("[data-cancel]").addEventListener("click", () => done(null));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const result = collect(form);
      if (typeof result === "string") {
        form.querySelector("[data-form-error]").textContent = result;
        return;
      }
      done(result);
    });
    box.showModal();
    form.querySelector("input:not([type=hidden]), select, textarea")?.focus();
  });
}

const checked = (form, name) =>
  [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
const value = (form, name) => form.elements[name]?.value.trim() || null;

function needChoices(name, exclude, id) {
  const list = needs().filter((n) => !exclude.has(n.code));
  if (!list.length) return `<p class="muted">${esc(t("needsUnknown"))}</p>`;
  return `<div class="add-needs" id="${id}">${list
    .map(
      (n) => `<label class="check"><input type="checkbox" name="${name}" value="${esc(n.code)}"${n.available ? "" : " disabled"}> ${esc(needName(n.code))}${n.available ? "" : ` <span class="muted">(${esc(t("notToday"))})</span>`}</label>`,
    )
    .join("")}</div>`;
}

const openNeeds = (visit) =>
  new Set(
    (visit.steps ?? []).filter((s) => ["pending", "called", "in_service"].includes(s.status)).map((s) => s.need),
  );

export function finishForm(visit, here) {
  const resolved = here
    .map(
      (s) => `<label class="check"><input type="checkbox" name="resolved" value="${esc(s.need)}" checked> ${esc(needName(s.need))}</label>`,
    )
    .join("");
  return ask({
    testid: "finish-form",
    title: t("finishTitle", { ticket: visit.ticket }),
    submit: t("finishSubmit"),
    body: `<fieldset><legend>${esc(t("finishResolved"))}</legend><div id="finish-resolved">${resolved}</div></fieldset>
      <fieldset><legend>${esc(t("finishAdd"))}</legend>${needChoices("add", openNeeds(visit), "finish-add")}
        <p><label for="refer-reason">${esc(t("referReason"))}</label><input id="refer-reason" name="refer_reason" maxlength="500" autocomplete="off"></p>
      </fieldset>
      <p><label for="finish-note">${esc(t("note"))}</label><textarea id="finish-note" name="note" rows="2" maxlength="2000"></textarea></p>`,
    collect: (form) => {
      const add = checked(form, "add");
      return {
        resolved: checked(form, "resolved"),
        add_needs: add,
        note: value(form, "note"),
        refer_reason: add.length ? value(form, "refer_reason") : null,
      };
    },
  });
}

export function holdForm(visit) {
  const reasons = ["documents", "interpreter", "break", "other"]
    .map(
      (r, i) => `<label class="check"><input type="radio" name="reason" value="${r}"${i === 0 ? " checked" : ""}> ${esc(t(`h_${r}`))}</label>`,
    )
    .join("");
  return ask({
    testid: "hold-form",
    title: t("holdTitle", { ticket: visit.ticket }),
    submit: t("holdSubmit"),
    body: `<fieldset><legend>${esc(t("holdReason"))}</legend><div class="radio-row">${reasons}</div></fieldset>
      <p><label for="hold-note">${esc(t("holdNote"))}</label><input id="hold-note" name="note" maxlength="500" autocomplete="off"></p>
      <p><label for="hold-until">${esc(t("holdUntil"))}</label><input id="hold-until" name="until" type="time" class="short"></p>`,
    collect: (form) => {
      const body = { reason: form.querySelector('input[name="reason"]:checked')?.value ?? "other" };
      const note = value(form, "note");
      const until = value(form, "until");
      if (note) body.note = note;
      if (until) body.until = until.slice(0, 5);
      return body;
    },
  });
}

export function referForm(visit) {
  return ask({
    testid: "refer-form",
    title: t("referTitle", { ticket: visit.ticket }),
    submit: t("referSubmit"),
    body: `<fieldset><legend>${esc(t("referNeeds"))}</legend>${needChoices("needs", openNeeds(visit), "refer-needs")}</fieldset>
      <p><label for="refer-only-reason">${esc(t("referReason"))}</label><input id="refer-only-reason" name="reason" maxlength="500" autocomplete="off"></p>`,
    collect: (form) => {
      const chosen = checked(form, "needs");
      if (!chosen.length) return t("chooseOne");
      return { needs: chosen, reason: value(form, "reason") };
    },
  });
}

export function joinForm(visit, ownAgency) {
  const options = presentAgencies()
    .filter((a) => a !== ownAgency)
    .map((a) => `<option value="${esc(a)}">${esc(agencyName(a))}</option>`)
    .join("");
  return ask({
    testid: "join-form",
    title: t("joinTitle", { ticket: visit.ticket }),
    submit: t("joinSubmit"),
    body: `<p><label for="join-agency">${esc(t("joinAgency"))}</label><select id="join-agency" name="agency" required>${options}</select></p>
      <p><label for="join-desk">${esc(t("joinDesk"))}</label><input id="join-desk" name="desk" class="short" maxlength="64" autocomplete="off"></p>
      <p><label for="join-reason">${esc(t("joinReason"))}</label><input id="join-reason" name="reason" maxlength="500" autocomplete="off"></p>`,
    collect: (form) => {
      const body = { agency: value(form, "agency") };
      const desk = value(form, "desk");
      const reason = value(form, "reason");
      if (desk) body.desk = desk;
      if (reason) body.reason = reason;
      return body;
    },
  });
}

export function noteForm(visit, current) {
  return ask({
    testid: "note-form",
    title: t("noteTitle", { ticket: visit.ticket }),
    submit: t("save"),
    body: `<p class="muted">${esc(t("noteHint"))}</p>
      <p><label for="shared-note">${esc(t("sharedNote"))}</label><textarea id="shared-note" name="note" rows="5" maxlength="4000">${esc(current ?? "")}</textarea></p>`,
    collect: (form) => ({ note: value(form, "note") }),
  });
}
