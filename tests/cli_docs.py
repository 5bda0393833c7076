#!/usr/bin/env python3
"""The command list, the man page and the bash completion agree: every
command `retain --help` lists has a section in man/retain.1 and a word in
completions/retain.bash, its --help exits 0, and the completion script
parses.  Output: one line per failed check, then "N passed, M failed"."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    retain = os.path.abspath(sys.argv[1])
    passed = failed = 0
    out = subprocess.run([retain, "--help"], capture_output=True, text=True).stdout
    cmds = re.findall(r"^  (\w+)\s", out.split("commands:", 1)[1], re.M) if "commands:" in out else []
    man = open(os.path.join(HERE, "..", "man", "retain.1"), encoding="utf-8").read()
    comp_path = os.path.join(HERE, "..", "completions", "retain.bash")
    comp = open(comp_path, encoding="utf-8").read()
    checks = [(len(cmds) >= 10, "retain --help lists the commands", repr(cmds))]
    for c in cmds:
        checks.append((re.search(r"^\.B %s\b" % c, man, re.M) is not None, "man page has %s" % c, ""))
        checks.append((re.search(r"\b%s\b" % c, comp.split("commands=", 1)[1].split("\n", 1)[0]) is not None,
                       "completion offers %s" % c, ""))
        p = subprocess.run([retain, c, "--help"], capture_output=True, text=True)
        checks.append((p.returncode == 0 and "usage: retain %s" % c in p.stdout, "retain %s --help" % c,
                       p.stderr[-200:]))
    p = subprocess.run(["bash", "-n", comp_path], capture_output=True, text=True)
    checks.append((p.returncode == 0, "the completion script parses", p.stderr[-200:]))
    for ok, what, detail in checks:
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s%s" % (what, " — " + detail if detail else ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
