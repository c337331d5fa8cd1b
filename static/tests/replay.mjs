// Replays live-protocol messages through the browser's own client code (socket.js's dispatcher
// and store.js), with no browser: tests/app/test_js_client.py feeds it what the server really
// sent and compares the result with a fresh snapshot.
//
//   node static/tests/replay.mjs < messages.jsonl
// Input: one message per line, as the websocket delivers it (the raw text).
// Output: {"version", "entries", "stats", "sent"} on one line (`sent`: what the client asked back).
import { createInterface } from "node:readline";

import { LiveSocket } from "../src/protocol/socket.js";
import { Store } from "../src/protocol/store.js";

globalThis.location ??= { protocol: "http:", host: "127.0.0.1" };

const store = new Store();
const socket = new LiveSocket("/ws/clusters/replay/", store);
const sent = [];
socket.send = (message) => {
  sent.push(message);
  return true;
};

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  // the socket's onmessage: unparsable text is dropped, anything else goes to the one dispatcher
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    continue;
  }
  socket.dispatch(message);
}
process.stdout.write(
  JSON.stringify({
    version: store.version,
    entries: Object.fromEntries(store.entries),
    stats: socket.stats,
    sent,
  }) + "\n",
);
