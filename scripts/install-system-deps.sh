#!/usr/bin/env bash
# System packages the test suite needs: Debian's Chromium (driven by Playwright), a Java
# runtime for the Nu HTML Checker, and fontconfig with a font covering Chinese (the build
# draws the Chinese share image with it). Installs only what is missing; needs root or sudo.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh-cn family)" ]; } || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing system packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
