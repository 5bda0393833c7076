#!/usr/bin/env bash
# Installs what retain needs on Debian bookworm: build tools, libraries, gdb,
# and the Go toolchains the examples and tests use. Extra suites
# (bookworm-backports, trixie, sid) are added pinned low, so that only the
# golang-1.NN-go packages we ask for come from them and nothing else upgrades.
# Usage: scripts/setup-debian.sh [GOVERSION...]   (default: every tested one)
set -euo pipefail

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(1.19 1.21 1.22 1.23 1.24 1.26 1.27)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

need_update=1
list=/etc/apt/sources.list.d/retain-extra.sources
if [ ! -f "$list" ]; then
  $sudo tee "$list" >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
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
      libprotobuf-c-dev protobuf-c-compiler zlib1g-dev gdb python3 clang)
for v in "${want[@]}"; do
  pkgs+=("golang-$v-go")
done

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

$sudo apt-get update -qq
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
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${base[@]}" >/dev/null
fi
for p in "${missing[@]}"; do
  case "$p" in golang-*-go) ;; *) continue ;; esac
  ok=0
  for suite in bookworm bookworm-backports trixie sid; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends -t "$suite" "$p" >/dev/null 2>&1; then
      ok=1; break
    fi
  done
  [ $ok -eq 1 ] || { echo "setup: could not install $p from bookworm, bookworm-backports, trixie or sid" >&2; exit 1; }
done
