// The presenter layout and the theme: how the page reads from the back of a room.
//
// `body.present` is the layout (the diagram wide, the YAML and the explanation stacked in a
// narrower column, bigger type, stronger contrast, short big labels on the diagram). Whoever sets
// the class (the "Presenter layout" toggle here, for anyone; an instructor's "Present" switch)
// the diagram follows it: a MutationObserver watches the body's classes. The toggle and the theme
// are remembered per browser.

const PRESENT_KEY = "kubeviz:present";
const THEME_KEY = "kubeviz:theme";
const SETTLE_MS = 220; // the grid's transition

function stored(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* not remembered: it still applies now */
  }
}

/** Wire the view menu's toggles (any may be missing) and keep the diagram in step with the
 *  body's `present` class. */
export function wirePresenter(diagram, { presentToggle, themeToggle }) {
  const body = document.body;
  const follow = () => {
    const on = body.classList.contains("present");
    if (presentToggle) presentToggle.checked = on;
    diagram.setPresent(on);
    diagram.resize();
    setTimeout(() => diagram.resize(), SETTLE_MS);
  };
  new MutationObserver(() => {
    if (body.classList.contains("present") !== Boolean(diagram.present)) follow();
  }).observe(body, { attributes: true, attributeFilter: ["class"] });

  if (presentToggle) {
    presentToggle.addEventListener("change", () => {
      body.classList.toggle("present", presentToggle.checked);
      store(PRESENT_KEY, presentToggle.checked ? "1" : "");
    });
    if (stored(PRESENT_KEY) === "1") body.classList.add("present");
  }
  if (themeToggle) {
    const setTheme = (dark) => {
      body.dataset.theme = dark ? "dark" : "light";
      themeToggle.checked = dark;
    };
    themeToggle.addEventListener("change", () => {
      setTheme(themeToggle.checked);
      store(THEME_KEY, themeToggle.checked ? "dark" : "light");
    });
    setTheme(stored(THEME_KEY) === "dark");
  }
  follow();
}
