// Keyboard facts every screen needs: whether a key goes into a text field (where no single-key
// shortcut may act), and which character an Alt+key press stands for.

/** True when keys go into a text field (where no single-key shortcut may act). */
export function isTextField(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && target.type !== "checkbox" && target.type !== "radio") ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

/**
 * The unmodified character of an Alt+key press: by physical key where the event says which
 * (Alt changes the character on some layouts), else the key itself.
 */
export function altChar(e: KeyboardEvent): string {
  const code = /^(?:Key([A-Z])|Digit([0-9])|Numpad([0-9]))$/.exec(e.code);
  if (code) return (code[1] ?? code[2] ?? code[3]!).toLowerCase();
  if (e.code === "Minus" || e.code === "NumpadSubtract") return "-";
  return e.key.toLowerCase();
}
