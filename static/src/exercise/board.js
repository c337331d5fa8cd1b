// The instructor's exercise board, its pure parts: the summary row, sorting, durations. The rows
// are the server's (simulator/progress.py `board_row`): the browser judges no goal itself.

/** "18/25" per goal column: how many students solved it, of the students listed. */
export function summary(columns, rows) {
  const out = {};
  for (const column of columns) {
    const solved = rows.filter((row) => row.cells[column.key]?.state === "ok").length;
    out[column.key] = { solved, of: rows.length, text: `${solved}/${rows.length}` };
  }
  return out;
}

/** Seconds since the row last progressed (a goal solved, a step begun); null once finished. */
export function stuckSeconds(row, now = Date.now()) {
  if (row.finished || !row.since) return null;
  return Math.max(0, Math.round((now - Date.parse(row.since)) / 1000));
}

/** 42 s, 3 min, 1 h 5 min. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The rows in the order asked: by name, by progress (most goals solved first), stuck longest first. */
export function sortRows(rows, order, now = Date.now()) {
  const byName = (a, b) => a.name.localeCompare(b.name) || a.student - b.student;
  const copy = [...rows];
  if (order === "progress") {
    copy.sort((a, b) => b.solved - a.solved || a.hints - b.hints || byName(a, b));
  } else if (order === "stuck") {
    const stuck = (row) => stuckSeconds(row, now) ?? -1;
    copy.sort((a, b) => stuck(b) - stuck(a) || byName(a, b));
  } else {
    copy.sort(byName);
  }
  return copy;
}

/** A board with one student's row replaced (or added): what a `board-row` message does. */
export function withRow(board, row) {
  const rows = board.rows.filter((r) => r.student !== row.student);
  rows.push(row);
  return { ...board, rows };
}
