#!/usr/bin/env bash
# The browser end-to-end test needs Debian's chromium; install it when missing and we are allowed to.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing chromium for the browser end-to-end test..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium: the browser test will be skipped."
else
  echo "chromium missing and not root: the browser test will be skipped."
fi
