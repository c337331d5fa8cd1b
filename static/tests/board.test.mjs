// The exercise board's pure parts (static/src/exercise/board.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { duration, sortRows, stuckSeconds, summary, withRow } from "../src/exercise/board.js";

const columns = [{ key: "1.a" }, { key: "1.b" }];
const now = Date.parse("2026-01-01T10:10:00Z");
const rows = [
  {
    student: 1,
    name: "Bo",
    solved: 1,
    hints: 2,
    since: "2026-01-01T10:00:00Z",
    finished: null,
    cells: { "1.a": { state: "ok" }, "1.b": { state: "fail" } },
  },
  {
    student: 2,
    name: "Ana",
    solved: 2,
    hints: 0,
    since: "2026-01-01T10:09:00Z",
    finished: "2026-01-01T10:09:00Z",
    cells: { "1.a": { state: "ok" }, "1.b": { state: "ok" } },
  },
  {
    student: 3,
    name: "Cy",
    solved: 0,
    hints: 0,
    since: "2026-01-01T10:05:00Z",
    finished: null,
    cells: { "1.a": { state: "fail" }, "1.b": { state: "todo" } },
  },
];

test("the summary row counts who solved each goal, of everyone listed", () => {
  assert.deepEqual(summary(columns, rows)["1.a"], { solved: 2, of: 3, text: "2/3" });
  assert.equal(summary(columns, rows)["1.b"].text, "1/3");
});

test("rows sort by name, by progress, or stuck longest first", () => {
  assert.deepEqual(
    sortRows(rows, "name").map((r) => r.name),
    ["Ana", "Bo", "Cy"],
  );
  assert.deepEqual(
    sortRows(rows, "progress").map((r) => r.name),
    ["Ana", "Bo", "Cy"],
  );
  assert.deepEqual(
    sortRows(rows, "stuck", now).map((r) => r.name),
    ["Bo", "Cy", "Ana"],
  );
});

test("a finished student is stuck for nothing; durations read as people say them", () => {
  assert.equal(stuckSeconds(rows[1], now), null);
  assert.equal(stuckSeconds(rows[0], now), 600);
  assert.deepEqual([duration(42), duration(600), duration(3900)], ["42 s", "10 min", "1 h 5 min"]);
});

test("a board-row replaces that student's row and keeps the others", () => {
  const next = withRow({ columns, rows }, { ...rows[2], solved: 1 });
  assert.equal(next.rows.length, 3);
  assert.equal(next.rows.find((r) => r.student === 3).solved, 1);
});
