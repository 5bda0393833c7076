#!/usr/bin/env python3
"""The HTML report in a real browser: `retain report` on a real program's
heap (examples/leaky, built by a Debian toolchain), opened in headless
Chromium (Debian's `chromium`). Three pages:
  - one snapshot of 5,000 requests;
  - `report --diff` of two snapshots, 2,000 then 5,000 requests: leaky
    never forgets a session, so main.Session grows by exactly 3,000
    objects, and main.sessionCache's suspect says it grew;
  - a heap of over a million objects (LEAKY_REQUESTS=200000): the page
    stays under 10 MB and works the same.

Each page checks itself when loaded as FILE#selftest (report_html.c): it
counts the suspects and table rows, clicks the dominator tree's first
toggle and counts the nodes again, and records any script error. Checks:
  - the page is self-contained: no http(s) URL in a src or href, no external
    script or stylesheet; under 10 MB;
  - in the browser: no script error, at least three leak suspects, the
    tree opens on click (more nodes after than before), the type, site and
    goroutine tables have rows; main.sessionCache is among the suspects;
    with --diff, the growth tables have rows and suspects say their growth;
  - a screenshot of each page is kept as an artifact: WORK/report*.png.

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
    exe = os.path.join(work, "leaky")
    p = subprocess.run([go, "build", "-o", exe, "."], cwd=os.path.join(HERE, "..", "examples", "leaky"), env=env,
                       capture_output=True, text=True)
    if not check(p.returncode == 0, "go build examples/leaky", p.stderr[-400:]):
        return 1
    dumps = {}
    for name, requests in (("old", 2000), ("new", 5000), ("big", 200000)):
        dumps[name] = os.path.join(work, name + ".dump")
        p = subprocess.run([exe, dumps[name]], capture_output=True, text=True,
                           env=dict(os.environ, LEAKY_REQUESTS=str(requests)))
        if not check(p.returncode == 0 and os.path.exists(dumps[name]), "run leaky (%d requests)" % requests,
                     p.stderr[-400:]):
            return 1
    retain = os.path.abspath(a.retain)
    browser = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--user-data-dir=" + os.path.join(work, "chromium-profile")]

    def page(label, args):
        """Write the report, open it in Chromium: its self-test's answer."""
        out = os.path.join(work, "report%s.html" % ("-" + label if label else ""))
        p = subprocess.run([retain, "report", "-o", out] + args, capture_output=True, text=True)
        if not check(p.returncode == 0 and os.path.exists(out), "%s: retain report" % label, p.stderr[-400:]):
            return None, ""
        html = open(out, encoding="utf-8").read()
        check(len(html) < 10 << 20, "%s: the page is under 10 MB" % label, "%d bytes" % len(html))
        ext = re.findall(r'(?:src|href)\s*=\s*["\']?https?://', html)
        check(not ext and "<link" not in html, "%s: the page is self-contained (no external scripts, styles)" % label,
              repr(ext[:3]))
        p = subprocess.run(browser + ["--dump-dom", "file://" + out + "#selftest"], capture_output=True, text=True,
                           timeout=120)
        m = re.search(r'<pre id="selftest">([^<]*)</pre>', p.stdout)
        got = json.loads(m.group(1).replace("&quot;", '"')) if m else None
        if check(isinstance(got, dict), "%s: the page ran its self-test in Chromium" % label,
                 (p.stdout[-300:] + p.stderr[-300:])):
            check(got.get("errors") == [], "%s: no script error" % label, repr(got.get("errors")))
            check(got.get("suspects", 0) >= 3, "%s: at least three leak suspects" % label, repr(got))
            check(got.get("tree_after", 0) > got.get("tree_before", 0), "%s: the dominator tree opens on click" % label,
                  repr(got))
            check(min(got.get("types", 0), got.get("sites", 0), got.get("goroutines", 0)) > 0,
                  "%s: type, site and goroutine tables have rows" % label, repr(got))
        check("main.sessionCache" in p.stdout, "%s: main.sessionCache is named among the suspects" % label)
        shot = out[:-len(".html")] + ".png"
        if os.path.exists(shot):
            os.remove(shot)
        subprocess.run(browser + ["--screenshot=" + shot, "--window-size=1100,1500", "file://" + out],
                       capture_output=True, timeout=120)
        check(os.path.exists(shot) and os.path.getsize(shot) > 10000, "%s: a screenshot is kept" % label, shot)
        return got, p.stdout

    page("", [dumps["new"], exe])

    got, dom = page("diff", ["--diff", dumps["old"], exe, "--", dumps["new"], exe])
    if isinstance(got, dict):
        check(min(got.get("growth") or [0]) > 0, "diff: growth tables by type, site and root have rows", repr(got))
        check(got.get("suspect_growth", 0) >= 2, "diff: suspects say how they grew", repr(got))
    check("Growth since" in dom, "diff: the growth section is shown")
    p = subprocess.run([retain, "report", "--json", "--diff", dumps["old"], exe, "--", dumps["new"], exe],
                       capture_output=True, text=True)
    data = json.loads(p.stdout) if p.returncode == 0 else {}
    g = data.get("growth") or {}
    sess = [r for r in g.get("types") or [] if r.get("name") == "main.Session"]
    check(len(sess) == 1 and sess[0].get("delta", {}).get("count") == 3000 and sess[0].get("status") == "grew",
          "diff --json: main.Session grew by exactly 3000 objects (5000 - 2000 sessions, none forgotten)",
          json.dumps(sess)[:300])
    cache = [s for s in data.get("suspects") or [] if "main.sessionCache" in str(s.get("name"))]
    check(len(cache) == 1 and (cache[0].get("growth") or {}).get("status") == "grew" and
          cache[0]["growth"].get("bytes", 0) > 0, "diff --json: the main.sessionCache suspect grew",
          json.dumps(cache)[:300])
    check(g.get("old") == dumps["old"], "diff --json: growth.old names the old snapshot", repr(g.get("old")))

    p = subprocess.run([retain, "overview", "--json", dumps["big"], exe], capture_output=True, text=True)
    objects = json.loads(p.stdout).get("objects", {}) if p.returncode == 0 else {}
    n = objects.get("count") if isinstance(objects, dict) else objects
    check(isinstance(n, int) and n >= 1000000, "big: the heap has over a million objects", repr(objects)[:200])
    page("big", [dumps["big"], exe])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
