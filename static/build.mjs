// Bundles the dashboard: static/src/main.js (+ its CSS) and the class page's classpage.js -> static/dist/, and copies ELK's web
// worker next to it (the layout runs off the main thread). `npm run build`; the Makefile runs it
// when a source changes. `--watch` rebuilds on save.
import { build, context } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const options = {
  entryPoints: [
    "static/src/main.js",
    "static/src/classpage.js",
    "static/src/exercise/boardpage.js",
    "static/src/style.css",
  ],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  outdir: "static/dist",
  entryNames: "[name]",
  logLevel: "warning",
  legalComments: "linked",
};

mkdirSync("static/dist", { recursive: true });
copyFileSync("node_modules/elkjs/lib/elk-worker.min.js", "static/dist/elk-worker.min.js");
if (process.argv.includes("--watch")) {
  const ctx = await context(options);
  await ctx.watch();
  console.log("watching static/src/ ...");
} else {
  await build(options);
}
