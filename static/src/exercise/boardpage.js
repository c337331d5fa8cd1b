// The exercise board page (templates/simulator/board.html): the grid students × goals, kept live
// over ws/classes/<pk>/board/ (a whole `board` on connect, then one `board-row` per change), sorted
// as asked, with a summary row. Cells say when a goal was solved, or why it fails, on hover. A
// row's Spotlight posts the sandbox to the class's spotlight (a form: the server decides).

import { duration, sortRows, stuckSeconds, summary, withRow } from "./board.js";

const config = JSON.parse(document.getElementById("board-config")?.textContent || "null");
const body = document.getElementById("board-rows");
const live = document.getElementById("board-live");
const sortSelect = document.getElementById("board-sort");
let board = null;
let retry = 500;

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function cellOf(cell) {
  const state = cell?.state || "todo";
  const td = el("td", { class: `cell ${state}` }, state === "ok" ? "✓" : state === "fail" ? "✗" : "·");
  if (state === "ok" && cell.at) {
    const time = new Date(cell.at);
    td.title = `solved at ${time.toLocaleTimeString()}`;
    td.append(el("small", {}, ` ${time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`));
  } else if (state === "fail") {
    td.title = cell.why;
  }
  return td;
}

/** A row's Spotlight: a plain form posting the sandbox's slug (the server decides and answers). */
function spotlightForm(slug) {
  const form = el("form", { method: "post", action: config.spotlightUrl, class: "spot-row" });
  const button = el("button", {
    type: "submit",
    title: "project this sandbox to the class, live (while you present)",
  });
  button.textContent = "Spotlight";
  form.append(
    el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: config.csrfToken }),
    el("input", { type: "hidden", name: "sandbox", value: slug }),
    button,
  );
  return form;
}

function render() {
  if (!board || !body) return;
  const now = Date.now();
  const rows = sortRows(board.rows, sortSelect?.value || "name", now);
  body.replaceChildren(
    ...rows.map((row) => {
      const tr = el("tr", { "data-student": String(row.student) });
      const th = el("th", { scope: "row" });
      if (row.sandbox) {
        const link = el("a", {
          href: config.clusterUrl.replace("SLUG", row.sandbox),
          target: "_blank",
          rel: "noopener",
        });
        link.textContent = row.name;
        link.title = "watch this sandbox live (read-only)";
        th.append(link, " ", spotlightForm(row.sandbox));
      } else {
        th.append(row.name, el("span", { class: "muted" }, " (no sandbox yet)"));
      }
      tr.append(th, ...board.columns.map((c) => cellOf(row.cells[c.key])));
      const stuck = stuckSeconds(row, now);
      tr.append(
        el("td", { class: "hints" }, String(row.hints)),
        el("td", { class: "stuck" }, row.finished ? "done" : duration(stuck)),
        el("td", { class: "step" }, String(row.step)),
      );
      if (stuck !== null && stuck >= 300) tr.classList.add("stuck-long");
      return tr;
    }),
  );
  const totals = summary(board.columns, board.rows);
  for (const td of document.querySelectorAll("#board-summary td[data-key]")) {
    const total = totals[td.dataset.key];
    td.textContent = total ? total.text : "";
    td.title = total ? `${total.solved} of ${total.of} students solved this goal` : "";
  }
  window.__kubeviz_board = { rows: board.rows.length, updates: (window.__kubeviz_board?.updates || 0) + 1 };
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}${config.wsPath}`);
  ws.addEventListener("open", () => {
    retry = 500;
    live.dataset.state = "live";
    live.textContent = "live";
  });
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "board") board = message;
    else if (message.type === "board-row" && board) board = withRow(board, message.row);
    else if (message.type === "error") {
      live.dataset.state = "refused";
      live.textContent = message.message;
      return;
    }
    render();
  });
  ws.addEventListener("close", (event) => {
    live.dataset.state = "offline";
    live.textContent = "reconnecting…";
    if (event.code === 4403 || event.code === 4404) return;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10_000);
  });
}

if (config && body) {
  sortSelect?.addEventListener("change", render);
  setInterval(render, 15_000); // the "stuck for" column moves with time
  connect();
}
