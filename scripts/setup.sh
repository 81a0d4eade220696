#!/usr/bin/env bash
# Set up consultkit on a fresh Debian/Ubuntu machine: system packages, then .venv with the project and its tests.
# System packages: fonts-noto-cjk (Chinese glyphs in charts and PDFs), Pango (WeasyPrint PDFs),
# poppler-utils and chromium (tests render the brief as a reader sees it).
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium)
if command -v apt-get >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
else
  echo "setup: no apt-get; install these system packages yourself: ${APT_PACKAGES[*]}" >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# torch first, pinned: the CPU wheel is provided locally; an unpinned torch would pull a multi-GB CUDA build.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e '.[dev]'
