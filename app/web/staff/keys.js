// Keyboard shortcuts of the desk screen: one letter per action (shown on its button),
// never while typing in a field or while a form is open, never with Ctrl/Alt/Meta.

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

function typing(target) {
  if (!(target instanceof Element)) return false;
  return TYPING.has(target.tagName) || target.isContentEditable;
}

/**
 * bindings: { key letter (lower case): () => void }
 * active: () => whether shortcuts apply now (e.g. the desk screen is shown)
 */
export function installKeys(bindings, active) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    if (!active()) return;
    const action = bindings[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
