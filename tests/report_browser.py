#!/usr/bin/env python3
"""The HTML report in a real browser: `retain report` on a real program's
heap (examples/leaky, built by a Debian toolchain), opened in headless
Chromium (Debian's `chromium`).

The page checks itself when loaded as FILE#selftest (report_html.c): it
counts the suspects and table rows, clicks the dominator tree's first
toggle and counts the nodes again, and records any script error. Checks:
  - the page is self-contained: no http(s) URL in a src or href, no external
    script or stylesheet; under 10 MB;
  - in the browser: no script error, at least three leak suspects, the
    tree opens on click (more nodes after than before), the type, site and
    goroutine tables have rows; main.sessionCache is among the suspects;
  - a screenshot is kept as an artifact: WORK/report.png.

    python3 tests/report_browser.py --retain build/retain --work /tmp/rb

Exit 77 (skipped) without chromium or a Go toolchain. Output: one line per
failed check, then "N passed, M failed".
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--retain", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--go", default="1.22")
    a = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    go = "/usr/lib/go-%s/bin/go" % a.go
    if not chromium or not os.access(go, os.X_OK):
        print("SKIP: needs chromium and %s" % go)
        return SKIP
    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    passed = failed = 0

    def check(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s%s" % (what, " — " + detail if detail else ""), flush=True)
        return ok

    env = dict(os.environ, GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod",
               GOCACHE=os.path.join(work, "gocache"), GOPATH=os.path.join(work, "gopath"), CGO_ENABLED="0")
    exe, dump = os.path.join(work, "leaky"), os.path.join(work, "leaky.dump")
    p = subprocess.run([go, "build", "-o", exe, "."], cwd=os.path.join(HERE, "..", "examples", "leaky"), env=env,
                       capture_output=True, text=True)
    if not check(p.returncode == 0, "go build examples/leaky", p.stderr[-400:]):
        return 1
    p = subprocess.run([exe, dump], capture_output=True, text=True)
    if not check(p.returncode == 0 and os.path.exists(dump), "run leaky", p.stderr[-400:]):
        return 1
    page = os.path.join(work, "report.html")
    p = subprocess.run([os.path.abspath(a.retain), "report", "-o", page, dump, exe], capture_output=True, text=True)
    if not check(p.returncode == 0 and os.path.exists(page), "retain report", p.stderr[-400:]):
        return 1
    html = open(page, encoding="utf-8").read()
    check(len(html) < 10 << 20, "the page is under 10 MB", "%d bytes" % len(html))
    ext = re.findall(r'(?:src|href)\s*=\s*["\']?https?://', html)
    check(not ext and "<link" not in html, "the page is self-contained (no external scripts, styles)", repr(ext[:3]))

    profile = os.path.join(work, "chromium-profile")
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=" + profile]
    p = subprocess.run(base + ["--dump-dom", "file://" + page + "#selftest"], capture_output=True, text=True,
                       timeout=120)
    m = re.search(r'<pre id="selftest">([^<]*)</pre>', p.stdout)
    got = json.loads(m.group(1).replace("&quot;", '"')) if m else None
    if check(isinstance(got, dict), "the page ran its self-test in Chromium", (p.stdout[-300:] + p.stderr[-300:])):
        check(got.get("errors") == [], "no script error", repr(got.get("errors")))
        check(got.get("suspects", 0) >= 3, "at least three leak suspects", repr(got))
        check(got.get("tree_after", 0) > got.get("tree_before", 0), "the dominator tree opens on click", repr(got))
        check(min(got.get("types", 0), got.get("sites", 0), got.get("goroutines", 0)) > 0,
              "type, site and goroutine tables have rows", repr(got))
    check("main.sessionCache" in p.stdout, "main.sessionCache is named among the suspects")
    shot = os.path.join(work, "report.png")
    if os.path.exists(shot):
        os.remove(shot)
    subprocess.run(base + ["--screenshot=" + shot, "--window-size=1100,1500", "file://" + page],
                   capture_output=True, timeout=120)
    check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "a screenshot is kept", shot)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
