#!/usr/bin/env bash
# The issue 7 benchmark of the scheduled web monitor (not a test: prints figures, asserts nothing).
# Serves PORTALS (500) generated portal sites with Debian's nginx, each on its own loopback address
# (127.0.1.1, 127.0.1.2, ... : its own host for the per-host gate), https on 443 with a certificate
# of a test CA naming every address, plain http on 80 redirecting to https; every 25th site carries
# a hidden gambling link, every 50th an exposed /.git/HEAD. Then build/release/vigil_webmon_cycle
# runs every check class (availability, content with defacement and crawl, tls, headers, exposure)
# of every portal once with WORKERS (128) workers and the 1 request/s per-host gate, and prints the
# cycle time, runs and findings per class, CPU and peak RSS (also from /usr/bin/time -v). Each
# site: a home page (~20 KB) linking to a news page and three articles (what the crawl finds).
# Needs root for ports 80/443.
#   bench/webmon_cycle.sh                 PORTALS=100 WORKERS=64 bench/webmon_cycle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORTALS=${PORTALS:-500}
WORKERS=${WORKERS:-128}
WORK=$(mktemp -d /tmp/vigil-webmon-cycle-XXXXXX)
NGINX_PID=
cleanup() {
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
if [[ -z ${SKIP_BUILD:-} ]]; then
  cmake --preset release -DVIGIL_BUILD_BENCH=ON >/dev/null
  cmake --build build/release -j1 --target vigil_webmon_cycle >/dev/null
fi

# Addresses, sites.
: >"$WORK/addresses"
SANS=""
for ((i = 0; i < PORTALS; i++)); do
  a="127.0.$((1 + i / 250)).$((1 + i % 250))"
  echo "$a" >>"$WORK/addresses"
  SANS+="${SANS:+,}IP:$a"
  d="$WORK/sites/$a"
  mkdir -p "$d"
  {
    echo "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Cổng thông tin điện tử - Cơ quan số $i</title>"
    echo "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><header><h1>Cổng thông tin điện tử Cơ quan số $i</h1>"
    echo "<nav><a href=\"/\">Trang chủ</a> <a href=\"/tin-tuc.html\">Tin tức</a> <a href=\"/bai-1.html\">Bài 1</a> <a href=\"/bai-2.html\">Bài 2</a> <a href=\"/bai-3.html\">Bài 3</a> <a href=\"https://chinhphu.vn/\">Chính phủ</a></nav></header><main>"
    for ((p = 0; p < 40; p++)); do
      echo "<article><h2>Tin số $p của cơ quan $i</h2><p>Ủy ban nhân dân tỉnh tổ chức hội nghị triển khai kế hoạch chuyển đổi số năm 2026, bảo đảm an toàn thông tin cho hệ thống cổng thông tin điện tử.</p></article>"
    done
    ((i % 25 == 0)) && echo "<div style=\"display:none\"><a href=\"https://nhacai-$i.bet/\">nhà cái cá cược uy tín</a></div>"
    echo "</main><footer>Cổng thông tin điện tử - Cơ quan số $i</footer></body></html>"
  } >"$d/index.html"
  sed "s/Tin số/Bài viết số/" "$d/index.html" >"$d/tin-tuc.html"
  for b in 1 2 3; do sed "s/Tin số/Bài $b, đoạn/" "$d/index.html" >"$d/bai-$b.html"; done
  echo "body{font-family:sans-serif}header{background:#c00;color:#fff}" >"$d/style.css"
  if ((i % 50 == 0)); then mkdir -p "$d/.git" && echo "ref: refs/heads/main" >"$d/.git/HEAD"; fi
done

# A test CA and one certificate naming every address.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" -days 30 \
  -subj "/CN=vigil bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$WORK/leaf.key" -out "$WORK/leaf.csr" -subj "/CN=bench portals" 2>/dev/null
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
  "$SANS" >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 30 \
  -extfile "$WORK/leaf.ext" -out "$WORK/leaf.pem" 2>/dev/null

# nginx: one https server and one http server listening on every address.
{
  echo "worker_processes 2; worker_rlimit_nofile 16384; pid $WORK/nginx.pid; error_log $WORK/error.log warn;"
  echo "events { worker_connections 4096; }"
  echo "http { include /etc/nginx/mime.types; default_type text/html; access_log off; server_tokens off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo " ${t}_temp_path $WORK/tmp;"; done
  echo " server { root $WORK/sites/\$server_addr; ssl_certificate $WORK/leaf.pem; ssl_certificate_key $WORK/leaf.key;"
  echo "  ssl_protocols TLSv1.2 TLSv1.3;"
  echo "  add_header Strict-Transport-Security \"max-age=31536000\" always; add_header X-Content-Type-Options nosniff always;"
  echo "  add_header X-Frame-Options DENY always; add_header Referrer-Policy no-referrer always;"
  while read -r a; do echo "  listen $a:443 ssl;"; done <"$WORK/addresses"
  echo " }"
  echo " server {"
  while read -r a; do echo "  listen $a:80;"; done <"$WORK/addresses"
  echo "  return 301 https://\$server_addr\$request_uri; }"
  echo "}"
} >"$WORK/nginx.conf"
mkdir -p "$WORK/tmp"
chmod -R a+rX "$WORK"  # nginx workers run as www-data
/usr/sbin/nginx -p "$WORK/" -c "$WORK/nginx.conf" -e "$WORK/error.log" -g "daemon off;" &
NGINX_PID=$!
last=$(tail -1 "$WORK/addresses")
for _ in $(seq 100); do curl -sk -o /dev/null "https://$last/" && break; sleep 0.1; done
curl -sk -o /dev/null "https://$last/" || { echo "nginx did not start:" >&2; cat "$WORK/error.log" >&2; exit 1; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $PORTALS portals, $WORKERS workers"
FINDINGS=${FINDINGS:-$WORK/findings.jsonl}
/usr/bin/time -v -o "$WORK/time" build/release/vigil_webmon_cycle --addresses "$WORK/addresses" --ca "$WORK/ca.pem" \
  --workers "$WORKERS" --findings "$FINDINGS" || echo "(some runs missing: see above)"
awk -F': ' '/Maximum resident/{rss=$2} /Elapsed/{wall=$2} /Percent of CPU/{cpu=$2}
  END {printf "== /usr/bin/time: wall %s, CPU %s, peak RSS %.1f MiB\n", wall, cpu, rss/1024}' "$WORK/time"
echo "== findings (low or worse) by check.id:"
grep -o '"check":"[a-z_]*","id":"[a-z0-9_]*"' "$FINDINGS" | sed 's/"check":"\([a-z_]*\)","id":"\([a-z0-9_]*\)"/\1.\2/' |
  sort | uniq -c | sort -rn | sed 's/^/   /'
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
