// The classroom's small parts of a cluster page and the class page: buttons that ask before
// they act (`data-confirm`), the chip that tells a student an instructor is in their sandbox
// (from `presence` messages), and the class page's roster, kept live.

/** Submit buttons with `data-confirm` ask first (without JavaScript they just submit). */
export function confirmSubmits(root = document) {
  root.addEventListener("submit", (event) => {
    const question = event.submitter?.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
}

/**
 * The class's instructors watching this cluster (a student's sandbox), from a presence message:
 * `instructors: [{name, editing}]`. A student sees who is in, and whether they took it over.
 */
export function showInstructors(element, instructors) {
  if (!element) return;
  const list = instructors || [];
  element.hidden = list.length === 0;
  element.textContent = list
    .map(({ name, editing }) => `${name} ${editing ? "is editing here" : "is watching"}`)
    .join(" · ");
  element.title = list.some((i) => i.editing)
    ? "your instructor took this sandbox over to help: you both can edit it"
    : "your instructor is looking at this sandbox (read-only)";
}

const ROSTER_EVERY_MS = 3000;

/** The class page's roster: fetched again every few seconds while the page is visible. */
export function keepRosterLive(element) {
  if (!element?.dataset.url) return;
  const refresh = async () => {
    if (document.hidden || element.contains(document.activeElement)) return; // not while typing a new name
    try {
      const response = await fetch(element.dataset.url, { headers: { Accept: "text/html" } });
      if (response.ok) element.innerHTML = await response.text();
    } catch {
      // offline for a moment: the next round tries again
    }
  };
  setInterval(refresh, ROSTER_EVERY_MS);
}
