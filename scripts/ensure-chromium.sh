#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the browser tests of the HTML reports.
# Playwright drives this browser; it never downloads one of its own (no `playwright install`).
#   - /usr/bin/chromium exists: nothing to do.
#   - root with apt-get: install the `chromium` package quietly.
#   - otherwise: warn; the browser tests then skip, saying why.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: installing Debian's chromium for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/dev/null \
        && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; then
        if [ -x "$CHROMIUM" ]; then
            exit 0
        fi
    fi
    echo "ensure-chromium: WARNING: installing chromium failed; the browser tests will skip" >&2
    exit 0
fi

echo "ensure-chromium: WARNING: $CHROMIUM is missing and cannot be installed here" \
    "(needs root and apt-get); the browser tests will skip. On Debian/Ubuntu:" \
    "sudo apt-get install chromium" >&2
exit 0
