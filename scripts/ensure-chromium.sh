#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (examples/e2e), which
# drive it with playwright-core through `executablePath`: never a browser download. Installs the
# `chromium` package only when it is missing, so running it again is cheap; prints the version.
# Needs root (or sudo) the first time.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (or sudo)" >&2
      exit 1
    fi
  fi
  echo "ensure-chromium: installing Debian's chromium package..." >&2
  log="$(mktemp)"
  # Quiet on success; on failure, show apt's output.
  if ! {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends chromium
  } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "ensure-chromium: installing chromium failed" >&2
    exit 1
  fi
  rm -f "$log"
fi

# Debian's launcher script may print a harmless shell warning from /etc/chromium.d on stderr.
"$CHROMIUM" --version 2>/dev/null || "$CHROMIUM" --version
