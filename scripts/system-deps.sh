#!/bin/sh
# Install the Debian packages the tests need: chromium and CJK fonts for the browser tests
# (without fonts-noto-cjk every Chinese character renders as a box), and the PostgreSQL server
# for the tests that run on PostgreSQL (tests/pgserver.py starts a throw-away cluster on loopback;
# the package's own cluster is not used).
set -e
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$missing fonts-noto-cjk"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: no apt-get; install$missing yourself (the tests needing them will be skipped)" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "system-deps: need root to install$missing (the tests needing them will be skipped)" >&2
        exit 0
    fi
fi
echo "system-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
