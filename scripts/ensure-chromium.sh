#!/bin/sh
# Browser tests drive Debian's Chromium; install it when missing and we may (root with apt-get).
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "treem: installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation2 >/dev/null
else
  echo "treem: /usr/bin/chromium is missing; install Debian's 'chromium' package to run the browser tests." >&2
  exit 1
fi
