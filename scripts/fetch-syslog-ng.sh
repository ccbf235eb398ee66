#!/usr/bin/env bash
# Prints the directory where syslog-ng-core (loggen, syslog-ng) from Debian 12 is unpacked,
# downloading and unpacking it first when needed. syslog-ng and rsyslog conflict as installed
# packages, so tests and benchmarks that need both run syslog-ng from this private copy
# (apt-get download + dpkg -x; nothing is installed). Needs the apt sources of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${SYSLOG_NG_DIR:-$PWD/build/tools/syslog-ng}
if [[ ! -x $DEST/root/usr/bin/loggen ]]; then
  mkdir -p "$DEST"
  (cd "$DEST" && apt-get download -q syslog-ng-core syslog-ng-mod-http >&2 && for deb in ./*.deb; do dpkg -x "$deb" root; done)
fi
echo "$DEST/root"
