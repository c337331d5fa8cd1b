"""Browser benchmark: the dashboard in Debian's Chromium against a real daphne, one run per size.

    python bench/browser.py                  # 50, 500 and 2,000 pods
    python bench/browser.py --sizes 500      # one size
    python bench/browser.py --edits 20       # edits per size (default 10)

Clusters as in bench/engine.py (namespaces of 10 Services, each backed by a Deployment of 10
pods, three Jobs, two DaemonSets), loaded through the services before the server starts.
Two browsers open the cluster page; figures per size:
  first layout    snapshot in hand -> diagram laid out (ELK in its worker) and drawn   (targets: <= 1 s at 500, <= 4 s at 2,000)
  page to diagram navigation start -> first diagram drawn (includes the snapshot download)
  change-to-screen  browser A clicks Apply (a new Pod that joins a Service) -> browser B has
                  drawn the pod and its endpoint edge: median and worst of the edits   (target: <= 150 ms at 500)
  of which in B   from B receiving the change to the frame that shows it (median)
  pan/zoom        frames per second in B while the view zooms and pans for 2 s
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from engine import manifests  # noqa: E402  (bench/engine.py: the same clusters)

from tests.browser.server import PYTHON, close_chromium, kubeviz_server, launch_chromium, missing_requirements  # noqa: E402

LOAD = """
import sys
from simulator import services
text = open(sys.argv[1]).read()
cluster = services.cluster_create(name=sys.argv[2], slug=sys.argv[2], workers=int(sys.argv[3]))
outcome = services.cluster_apply(cluster=cluster, text=text)
assert outcome.ok, outcome.errors[:3]
print(cluster.version)
"""

POD = """apiVersion: v1
kind: Pod
metadata:
  name: bench-{n}
  namespace: team-0
  labels: {{app: app-0, tier: web}}
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - {{name: http, containerPort: 8080}}
"""


def prepare(sizes):
    def load(env):
        for pods in sizes:
            text, workers = manifests(pods)
            path = os.path.join(env["DATABASE_URL"].split("sqlite:///", 1)[1] + f".{pods}.yaml")
            with open(path, "w") as f:
                f.write(text)
            subprocess.run(
                [
                    PYTHON,
                    "-c",
                    "import django; django.setup(); exec(open(0).read())",
                    path,
                    f"bench-{pods}",
                    str(workers),
                ],
                input=LOAD,
                text=True,
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                timeout=900,
            )

    return load


def open_dashboard(context, url):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_function("window.__kubeviz && window.__kubeviz.firstLayoutMs !== null", timeout=120000)
    page.wait_for_selector("#conn[data-state=open]")
    page.kubeviz_errors = errors
    return page


def frames_while_moving(page) -> float:
    """Frames per second while a person pans (drags) and zooms (mouse wheel) for about 2 s."""
    box = page.locator("#cy").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.evaluate("""() => { window.__frames = 0; window.__counting = true;
        const tick = () => { window.__frames += 1; if (window.__counting) requestAnimationFrame(tick); };
        window.__t0 = performance.now(); requestAnimationFrame(tick); }""")
    deadline = time.monotonic() + 2.0
    step = 0
    while time.monotonic() < deadline:
        page.mouse.move(cx, cy)
        page.mouse.wheel(0, -120 if step % 8 < 4 else 120)
        page.mouse.down()
        for k in range(5):
            page.mouse.move(cx + 12 * k, cy + 6 * k)
        page.mouse.up()
        step += 1
    return page.evaluate(
        "() => { window.__counting = false; return window.__frames / ((performance.now() - window.__t0) / 1000); }"
    )


def measure(server, playwright, pods: int, edits: int) -> dict:
    url = f"{server.url}/clusters/bench-{pods}/"
    a_ctx = launch_chromium(playwright, width=1440, height=900)
    b_ctx = launch_chromium(playwright, width=1440, height=900)
    try:
        a = open_dashboard(a_ctx, url)
        b = open_dashboard(b_ctx, url)
        first = b.evaluate("window.__kubeviz.firstLayoutMs")
        b.reload()
        b.wait_for_function("window.__kubeviz && window.__kubeviz.firstLayoutMs !== null", timeout=120000)
        page_to_diagram = b.evaluate("window.__kubeviz.drawnAt")
        first = min(first, b.evaluate("window.__kubeviz.firstLayoutMs"))
        b.wait_for_selector("#conn[data-state=open]")
        elements = b.evaluate("window.__kubeviz.diagram.cy.elements().length")
        drawn_pods = b.evaluate("window.__kubeviz.diagram.cy.nodes('[kind = \"Pod\"]').length")
        latencies, patches, client = [], [], []
        content = a.locator("#editor-pane .cm-content")
        for n in range(edits):
            content.click()
            a.keyboard.press("Control+A")
            a.keyboard.press("Delete")
            a.keyboard.insert_text(POD.format(n=f"{pods}-{n}"))
            before = b.evaluate("window.__kubeviz.version")
            a.click("#apply-button")
            try:
                a.wait_for_selector("#editor-results .ok-box, #editor-results .error-box", timeout=30000)
            except Exception:
                raise RuntimeError(f"no answer to the apply: {a.inner_text('#editor-results')!r}") from None
            if a.locator("#editor-results .error-box").count():
                raise RuntimeError(a.inner_text("#editor-results"))
            b.wait_for_function(
                """(id) => window.__kubeviz.diagram.has(id)
                && window.__kubeviz.diagram.cy.edges(`[target = "${id}"]`).length > 0
                && window.__kubeviz.lastChange && window.__kubeviz.version > """
                + str(before),
                arg=f"Pod/team-0/bench-{pods}-{n}",
                timeout=30000,
            )
            shown = b.evaluate("window.__kubeviz.lastChange.at")
            clicked = a.evaluate("window.__kubeviz.lastApplyAt")
            latencies.append(shown - clicked)
            patches.append(b.evaluate("window.__kubeviz.lastChange.patchMs"))
            client.append(b.evaluate("window.__kubeviz.lastChange.ms"))
            a.wait_for_selector("#editor-results .ok-box")
            time.sleep(0.3)
        settled = b.evaluate("window.__kubeviz.diagram.stats.elkSettledMs || null")
        fps = frames_while_moving(b)
        errors = a.kubeviz_errors + b.kubeviz_errors
        return {
            "pods": drawn_pods,
            "elements": elements,
            "first_layout_ms": round(first),
            "page_to_diagram_ms": round(page_to_diagram),
            "change_median_ms": round(statistics.median(latencies)),
            "change_max_ms": round(max(latencies)),
            "patch_median_ms": round(statistics.median(patches), 1),
            "client_median_ms": round(statistics.median(client)),
            "pan_zoom_fps": round(fps),
            "elk_settled_ms": settled and round(settled),
            "errors": errors,
        }
    finally:
        close_chromium(a_ctx)
        close_chromium(b_ctx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    missing = missing_requirements()
    if missing:
        print(f"cannot run: {missing}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    rows = []
    with kubeviz_server(prepare(args.sizes)) as server, sync_playwright() as playwright:
        for pods in args.sizes:
            rows.append(measure(server, playwright, pods, args.edits))
            r = rows[-1]
            print(
                f"{pods:>6} pods ({r['pods']} drawn, {r['elements']} elements): first layout {r['first_layout_ms']} ms, "
                f"page to diagram {r['page_to_diagram_ms']} ms, change-to-screen median {r['change_median_ms']} ms "
                f"(worst {r['change_max_ms']} ms; in B {r['client_median_ms']} ms, patch {r['patch_median_ms']} ms), "
                f"ELK settled {r['elk_settled_ms'] or '-'} ms, pan/zoom {r['pan_zoom_fps']} fps"
                + (f"  ERRORS: {r['errors'][:2]}" if r["errors"] else ""),
                flush=True,
            )
    print()
    print(
        "| pods (drawn) | elements | first layout | page → diagram | change-to-screen (median / worst) | of which in B | pan/zoom |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['pods']:,} | {r['elements']:,} | {r['first_layout_ms']:,} ms | {r['page_to_diagram_ms']:,} ms | "
            f"{r['change_median_ms']} / {r['change_max_ms']} ms | {r['client_median_ms']} ms | {r['pan_zoom_fps']} fps |"
        )
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
