#!/usr/bin/env bash
# Prints the directory where syslog-ng-core (loggen, syslog-ng) from Debian 12 is unpacked,
# downloading and unpacking it first when needed. syslog-ng and rsyslog conflict as installed
# packages, so tests and benchmarks that need both run syslog-ng from this private copy
# (apt-get download + dpkg -x; nothing is installed). Needs the apt sources of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${SYSLOG_NG_DIR:-$PWD/build/tools/syslog-ng}
# syslog-ng-scl holds elasticsearch-http() and libivykis0 the event loop of the syslog-ng daemon
# (the HTTP ingest test runs it as a client of /es/_bulk); loggen alone needs neither.
if [[ ! -x $DEST/root/usr/bin/loggen || ! -f $DEST/root/usr/share/syslog-ng/include/scl/elasticsearch/elastic-http.conf ||
  ! -e $DEST/root/usr/lib/x86_64-linux-gnu/libivykis.so.0 ]]; then
  mkdir -p "$DEST"
  (cd "$DEST" && apt-get download -q syslog-ng-core syslog-ng-mod-http syslog-ng-scl libivykis0 >&2 &&
    for deb in ./*.deb; do dpkg -x "$deb" root; done)
fi
echo "$DEST/root"
