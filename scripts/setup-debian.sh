#!/usr/bin/env bash
# Installs what retain needs on Debian bookworm: build tools, libraries, gdb,
# and the Go toolchains the examples and tests use. bookworm itself ships Go
# 1.19; for any other version extra suites (bookworm-backports, trixie, sid)
# are added pinned low, so that only the golang-1.NN-go packages we ask for
# come from them and nothing else upgrades.
# Usage: scripts/setup-debian.sh [GOVERSION...]   (default: every tested one)
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || read -r -a want <<< "$(sed -n 's/^#define GV_TESTED "\(.*\)".*/\1/p' "$(dirname "$0")/../src/loaders/go_version.h")"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# apt waits for the dpkg lock (another apt run at boot) instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

# The extra suites come from the same mirror as the machine's own Debian
# sources: no host is named here, so a machine behind its own mirror works.
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$f" ] || continue
    case "$f" in
      *.sources) uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f" | grep -v -- '-security' | head -n1) ;;
      *) uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:/) {print $i; break}}' "$f" | grep -v -- '-security' | head -n1) ;;
    esac
    case "$uri" in */debian|*/debian/) echo "${uri%/}"; return 0 ;; esac
  done
  return 1
}

# bookworm's own Go is 1.19: the extra suites only for another version
need_extra=0
for v in "${want[@]}"; do [ "$v" = 1.19 ] || need_extra=1; done

list=/etc/apt/sources.list.d/retain-extra.sources
if [ $need_extra = 1 ] && [ ! -f "$list" ]; then
  if mirror=$(debian_mirror); then
    $sudo tee "$list" >/dev/null <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
Check-Valid-Until: no
SRC
  else
    echo "setup: no Debian mirror in the machine's apt sources; only bookworm's own suites will be tried" >&2
  fi
  $sudo tee /etc/apt/preferences.d/retain-extra >/dev/null <<'PIN'
Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100

Package: *
Pin: release n=trixie
Pin-Priority: 50

Package: *
Pin: release n=sid
Pin-Priority: 40
PIN
fi

pkgs=(build-essential cmake pkg-config libelf-dev libdwarf-dev
      libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libzstd-dev libxxhash-dev gdb python3)
# for the tests only (scripts/test.sh sets it): the HTML report is checked in
# a real browser (tests/report_browser.py), zstd compresses a core as
# systemd-coredump does (tests/badinput.py), clang builds the fuzz targets
# (ctest fuzz_short)
[ "${RETAIN_SETUP_TESTS:-0}" = 1 ] && pkgs+=(chromium zstd clang)
for v in "${want[@]}"; do
  pkgs+=("golang-$v-go")
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# A frozen (snapshot) mirror serves Release files past their Valid-Until, and
# may lack a suite: neither may stop the install of what bookworm itself has.
$sudo apt-get "${apt_opts[@]}" -o Acquire::Check-Valid-Until=false update -qq ||
  echo "setup: apt-get update reported errors; going on with the lists it fetched" >&2
# Each Go toolchain comes from the first suite that has it; -t picks the suite
# only for that package so bookworm stays the base for everything else.
base=()
for p in "${missing[@]}"; do
  case "$p" in
    golang-*-go) ;;
    *) base+=("$p") ;;
  esac
done
if [ ${#base[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${base[@]}" >/dev/null
fi
for p in "${missing[@]}"; do
  case "$p" in golang-*-go) ;; *) continue ;; esac
  ok=0
  for suite in bookworm bookworm-backports trixie sid; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends -t "$suite" "$p" >/dev/null 2>&1; then
      ok=1; break
    fi
  done
  [ $ok -eq 1 ] || { echo "setup: could not install $p from bookworm, bookworm-backports, trixie or sid" >&2; exit 1; }
done
