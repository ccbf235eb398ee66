#!/usr/bin/env bash
# Installs everything vigil needs from Debian 12 packages, in one place.
#   scripts/install-deps.sh build   what `make run` needs (compiler, libraries, Node.js for the UI)
#   scripts/install-deps.sh test    the above plus test tools (GoogleTest, Chromium, wrk, sqlite3,
#                                   LibreOffice and pdftotext for the generated documents)
#   scripts/install-deps.sh fuzz    clang with libFuzzer, for `make fuzz`
# Idempotent: packages already installed are skipped, so it is cheap to call from every make.
set -euo pipefail

mode=${1:-build}

build_pkgs=(
  g++ cmake ninja-build pkg-config make git ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev libssl-dev libsodium-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libzip-dev libxlsxwriter-dev libpugixml-dev
  libzstd-dev
  zlib1g-dev  # gzip bodies of the HTTP ingest (src/api/routes_ingest.cpp)
  libevtx-dev libbfio-dev  # Windows .evtx files (src/evtx/); libevtx.h includes libbfio.h
  libyaml-cpp-dev libre2-dev  # Sigma rules (src/detect/sigma/): YAML loader, `re` modifier without backtracking
  libvectorscan-dev  # Sigma rule index (src/detect/sigma/rule_index.cpp): multi-literal prefilter
  libcurl4-openssl-dev libgumbo-dev libicu-dev  # web-portal monitor (src/webmon/), notifications (src/notify/)
  libpsl-dev  # registrable domains (public suffix list) of the web monitor's availability check
)
test_pkgs=(
  libgtest-dev libgmock-dev libbenchmark-dev
  sqlite3 chromium wrk curl procps clang-format
  # Real syslog clients of the listener tests: logger (util-linux), openssl s_client and rsyslog
  # forwarding over TLS and RELP (omrelp from rsyslog-relp).
  bsdutils openssl rsyslog rsyslog-gnutls rsyslog-relp
  # The generated documents are converted to PDF and read back; Liberation Serif 2 stands in
  # for Times New Roman with every Vietnamese letter.
  libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils fonts-liberation2
  # The web-portal monitor's test sites run on Debian's nginx; its TLS findings are compared with
  # testssl.sh and sslscan (tests/webmon/).
  nginx-light testssl.sh sslscan
  # The notification tests' real SMTP server (tests/notify/receivers.py), run by /usr/bin/python3.
  python3-aiosmtpd
)

fuzz_pkgs=(clang libclang-rt-14-dev)

pkgs=("${build_pkgs[@]}")
if [[ $mode == test ]]; then pkgs+=("${test_pkgs[@]}"); fi
if [[ $mode == fuzz ]]; then pkgs=("${fuzz_pkgs[@]}"); fi

# Node.js and npm build the web UI. A machine that already has a newer Node.js (with its own npm)
# keeps it; otherwise Debian's packages are used.
if ! command -v node >/dev/null 2>&1; then pkgs+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then pkgs+=(npm); fi

# syslog-ng conflicts with rsyslog: it is unpacked, not installed, under build/tools/ for the
# tests and benchmarks that run it as a real client (scripts/fetch-syslog-ng.sh). A failed
# download only skips those tests.
if [[ $mode == test ]]; then
  "$(dirname "$0")/fetch-syslog-ng.sh" >/dev/null ||
    echo "install-deps: could not unpack syslog-ng; the tests that run it will be skipped" >&2
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then exit 0; fi

sudo=""
if [[ $(id -u) != 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
