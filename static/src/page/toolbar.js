// The diagram's toolbar (owners and kube-system toggles, fit, clear trace, PNG and SVG export) and
// the page's layout controls (bigger text for a projector, folding either side pane).

const RESIZE_AFTER_LARGE_MS = 250;
const RESIZE_AFTER_FOLD_MS = 220;

function $(selector) {
  return document.querySelector(selector);
}

function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

/** The checkboxes follow what the diagram shows (it picks the defaults from the first snapshot). */
export function showVisibility({ owners, system }) {
  $("#show-owners").checked = owners;
  $("#show-system").checked = system;
}

export function wireToolbar(diagram, slug) {
  $("#show-owners").addEventListener("change", (e) => diagram.setShowOwners(e.target.checked));
  $("#show-system").addEventListener("change", (e) => diagram.setShowSystem(e.target.checked));
  $("#fit").addEventListener("click", () => diagram.fit());
  $("#export-png").addEventListener("click", () => download(`${slug}.png`, diagram.exportPng()));
  $("#export-svg").addEventListener("click", () =>
    download(`${slug}.svg`, new Blob([diagram.exportSvg()], { type: "image/svg+xml" })),
  );
  $("#clear-trace").addEventListener("click", () => diagram.clearTrace());
}

export function wirePageLayout(diagram) {
  const large = $("#large-text");
  const setLarge = (on) => {
    document.body.classList.toggle("large", on);
    large.setAttribute("aria-pressed", String(on));
    localStorage.setItem("kubeviz:large", on ? "1" : "");
    setTimeout(() => diagram.resize(), RESIZE_AFTER_LARGE_MS);
  };
  setLarge(localStorage.getItem("kubeviz:large") === "1");
  large.addEventListener("click", () => setLarge(!document.body.classList.contains("large")));
  for (const button of document.querySelectorAll("[data-collapse]")) {
    button.addEventListener("click", () => {
      document.body.classList.toggle(`hide-${button.dataset.collapse}`);
      setTimeout(() => diagram.resize(), RESIZE_AFTER_FOLD_MS);
    });
  }
  window.addEventListener("resize", () => diagram.resize());
}
