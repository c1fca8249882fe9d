#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium (driven by Playwright, and by the
# build, which draws the charts with it) and a Java runtime for the Nu HTML Checker. Installs
# only what is missing; needs root or sudo. `install-system-deps.sh chromium` (what `make
# site` runs) installs Chromium only.
set -euo pipefail
wanted=("${@:-chromium java}")
missing=()
for what in ${wanted[*]}; do
  case "$what" in
    chromium) command -v chromium >/dev/null 2>&1 || missing+=(chromium) ;;
    java) command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) ;;
    *) echo "unknown: $what (expected chromium or java)" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
