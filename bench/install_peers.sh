#!/usr/bin/env bash
# Installs the supervisors sup is benchmarked against:
#   - supervisord, from Debian's `supervisor` package (apt-get);
#   - PM2, pinned, into bench/.peers (npm; not added to the project's deps).
# The package's own system-wide supervisord is kept from starting (policy-rc.d,
# when none exists): the bench starts private supervisord instances with their
# own config, log and pid file. Idempotent: re-running skips what is installed.
set -euo pipefail

PM2_VERSION="7.0.4"
here="$(cd "$(dirname "$0")" && pwd)"
peers="$here/.peers"

if ! command -v supervisord >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != "0" ]; then sudo="sudo"; fi
  $sudo apt-get -o DPkg::Lock::Timeout=600 update
  # policy-rc.d exit 101 keeps the package's init script from starting a system-wide supervisord.
  if [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$sudo" ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y \
    --no-install-recommends supervisor
fi
echo "supervisord $(supervisord --version)"

if [ ! -x "$peers/node_modules/.bin/pm2" ] ||
  [ "$(node -p "require('$peers/node_modules/pm2/package.json').version")" != "$PM2_VERSION" ]; then
  mkdir -p "$peers"
  npm install --prefix "$peers" --no-audit --no-fund --loglevel=error "pm2@$PM2_VERSION"
fi
echo "pm2 $(node -p "require('$peers/node_modules/pm2/package.json').version")"
