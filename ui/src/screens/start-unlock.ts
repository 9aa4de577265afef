// The passphrase prompt of an encrypted study or rater package: a modal with one password
// field, keyboard first (the field has focus, Enter opens, Escape cancels). The passphrase goes
// to the app once and is cleared from the field; it is never stored by the page.

import { api, errorText, type StudySummary } from "../api";
import { ModalDialog } from "../components/dialog";
import { h } from "../dom";

/** Asks for the passphrase of `path` until it opens (then `onOpened`) or the user cancels. */
export function askPassphrase(path: string, onOpened: (study: StudySummary) => void): void {
  const field = h("input", {
    id: "unlock-passphrase",
    type: "password",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "aria-describedby": "unlock-help unlock-error",
  });
  const error = h("p", { id: "unlock-error", class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, "Open");
  const file = path.split(/[\\/]/).pop() ?? path;
  const form = h(
    "form",
    { class: "unlock-form" },
    h(
      "p",
      { id: "unlock-help" },
      `“${file}” is encrypted. Type its passphrase to open it. The passphrase is kept only while the study is open and is never saved.`,
    ),
    h("label", { for: "unlock-passphrase" }, "Passphrase"),
    field,
    error,
    h("div", { class: "row" }, submit),
  );
  let opening = false;
  let opened: StudySummary | null = null;
  // The dialog's close (and its return of focus) happens after `close()` returns: the opened
  // study is shown only then, so its first control keeps the focus.
  const dialog = new ModalDialog("unlock-dialog", "Passphrase needed", [form], () => {
    field.value = "";
    if (opened) onOpened(opened);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (opening) return;
    if (!field.value) {
      error.textContent = "Type the passphrase.";
      field.focus();
      return;
    }
    opening = true;
    submit.disabled = true;
    field.setAttribute("aria-invalid", "false");
    error.textContent = "";
    form.setAttribute("aria-busy", "true");
    api
      .unlockStudy(path, field.value)
      .then((study) => {
        opened = study;
        dialog.close();
      })
      .catch((err) => {
        error.textContent = errorText(err);
        field.setAttribute("aria-invalid", "true");
        field.select();
        field.focus();
      })
      .finally(() => {
        opening = false;
        submit.disabled = false;
        form.removeAttribute("aria-busy");
      });
  });
  dialog.open();
  field.focus();
}
