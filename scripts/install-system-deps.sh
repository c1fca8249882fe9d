#!/usr/bin/env bash
# System packages the build and the tests need: Debian's Chromium (the build draws the charts
# with it; Playwright drives it in the tests), fontconfig with a font covering Chinese (the
# build draws the Chinese share image with it) and a Java runtime for the Nu HTML Checker.
# Installs only what is missing; needs root or sudo. `install-system-deps.sh chromium fonts`
# (what `make site` runs) installs what building needs only.
set -euo pipefail
wanted=("${@:-chromium fonts java}")
missing=()
for what in ${wanted[*]}; do
  case "$what" in
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    java) command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) ;;
    fonts)
      command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
      { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh-cn family)" ]; } || missing+=(fonts-noto-cjk)
      ;;
    *) echo "unknown: $what (expected chromium, fonts or java)" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
