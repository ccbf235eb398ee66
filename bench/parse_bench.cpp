// Parsing throughput of the ingest layer (src/ingest/), one core: messages/s (items_per_second)
// and MB/s (bytes_per_second) for RFC 5424, RFC 3164, CEF and FortiGate key=value lines of about
// 300 bytes, plus TCP framing. The 3164 lines are OpenSSH lines from loghub (OpenSSH_2k.log);
// the CEF line has the shape Kaspersky Security Center emits; the key=value line is a FortiGate
// traffic log as in the wazuh ruleset tests. CEF and key=value include the syslog header parse.
// Run: build/bench-ingest/vigil_parse_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "ingest/framing.h"
#include "ingest/payload.h"
#include "ingest/syslog.h"

using namespace vigil::ingest;

namespace {

const std::vector<std::string> k5424 = {
    "<165>1 2026-11-24T10:00:00.123456+07:00 web01.stttt.hanoi.gov.vn nginx 24200 ACCESS [meta@32473 "
    "agency=\"So TTTT\" sequenceId=\"1234567\"][origin@32473 ip=\"10.20.30.40\" software=\"nginx\" "
    "swVersion=\"1.22.1\"] 10.0.0.15 - - [24/Nov/2026:10:00:00 +0700] \"GET /api/v1/users?page=2 HTTP/1.1\" 200 "
    "5123 \"-\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"",
    "<86>1 2026-11-24T10:00:01.5Z db02.soyte.gov.vn sshd 31337 - [timeQuality tzKnown=\"1\" isSynced=\"1\" "
    "syncAccuracy=\"60000\"] Failed password for invalid user admin from 173.234.31.186 port 38926 ssh2; "
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 "
    "user=admin attempt=3",
};

const std::vector<std::string> k3164 = {
    "<38>Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com "
    "[173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT! pam_unix(sshd:auth): authentication failure; logname= "
    "uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 user=webmaster; Invalid user webmaster from 173.234.31.186",
    "<38>Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for invalid user test9 from 52.80.34.196 port 36060 "
    "ssh2; Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]; pam_unix(sshd:auth): check pass; user "
    "unknown; input_userauth_request: invalid user test9 [preauth] Connection closed by 52.80.34.196 [preauth]",
};

const std::vector<std::string> kCef = {
    "<134>Nov 24 10:00:00 ksc01.hanoi.gov.vn CEF:0|KasperskyLab|SecurityCenter|14.2.0.26967|GNRL_EV_VIRUS_FOUND|"
    "Virus found|4|msg=Result: Detected: HEUR:Trojan.Win32.Generic Object: C:\\\\Users\\\\cb01\\\\Downloads\\\\a.exe "
    "rt=1795489200000 cs9=Phong Ke toan cs9Label=GroupName dhost=PC-KT-01 dst=10.20.1.15 cs2=KES cs2Label=ProductName "
    "cs3=11.11.0.452 cs3Label=ProductVersion",
    "<134>Nov 24 10:00:02 fw01 CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|Unknown|act=Accept "
    "deviceDirection=1 rt=1795489202000 spt=51234 dpt=443 cs2Label=Rule Name cs2=Allow web src=10.0.0.12 "
    "dst=203.162.4.190 proto=6 layer_name=Network layer_uuid=c0264a80-1832-4b47-8d5e-b6f9d2b3a2a1 match_id=4",
};

const std::vector<std::string> kKv = {
    "<189>date=2026-11-24 time=10:00:00 devname=\"FG100F-HN\" devid=\"FG100FTK20000001\" logid=\"0000000013\" "
    "type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=10.20.30.40 srcport=51234 "
    "srcintf=\"port1\" dstip=203.162.4.190 dstport=443 dstintf=\"wan1\" policyid=12 sessionid=1234567 proto=6 "
    "action=\"accept\" service=\"HTTPS\" sentbyte=1234 rcvdbyte=5678",
    "<185>date=2026-11-24 time=10:00:01 devname=\"FG100F-HN\" devid=\"FG100FTK20000001\" logid=\"0100032002\" "
    "type=\"event\" subtype=\"system\" level=\"alert\" vd=\"root\" logdesc=\"Admin login failed\" sn=0 "
    "user=\"admin\" ui=\"https(10.0.0.5)\" method=\"https\" srcip=10.0.0.5 dstip=10.0.0.1 action=\"login\" "
    "status=\"failed\" reason=\"passwd_invalid\" msg=\"Administrator admin login failed\"",
};

ParseOptions options() {
  ParseOptions o;
  o.receivedUs = 1'795'489'200'000'000;
  return o;
}

template <typename F>
void run(benchmark::State& state, const std::vector<std::string>& lines, F parseOne) {
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& line = lines[i];
    parseOne(line);
    bytes += line.size();
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_Rfc5424(benchmark::State& state) {
  const ParseOptions o = options();
  run(state, k5424, [&](const std::string& l) {
    SyslogMessage m = parseSyslog(l, o);
    benchmark::DoNotOptimize(m);
  });
}

void BM_Rfc3164(benchmark::State& state) {
  const ParseOptions o = options();
  run(state, k3164, [&](const std::string& l) {
    SyslogMessage m = parseSyslog(l, o);
    benchmark::DoNotOptimize(m);
  });
}

void BM_Cef(benchmark::State& state) {
  const ParseOptions o = options();
  run(state, kCef, [&](const std::string& l) {
    SyslogMessage m = parseSyslog(l, o);
    auto ev = parseCef(m.content);
    benchmark::DoNotOptimize(ev);
  });
}

void BM_KeyValue(benchmark::State& state) {
  const ParseOptions o = options();
  run(state, kKv, [&](const std::string& l) {
    SyslogMessage m = parseSyslog(l, o);
    auto kv = parseKeyValue(m.content);
    benchmark::DoNotOptimize(kv);
  });
}

// Framing of a TCP stream of octet-counted 5424 lines, read 64 KiB at a time.
void BM_FramingOctetCounted(benchmark::State& state) {
  std::string stream;
  size_t messages = 0;
  while (stream.size() < (1 << 20))
    for (const std::string& l : k5424) {
      stream += std::to_string(l.size()) + " " + l;
      ++messages;
    }
  for (auto _ : state) {
    StreamFramer f;
    for (size_t off = 0; off < stream.size(); off += 65536) {
      f.push(std::string_view(stream).substr(off, 65536));
      while (auto fr = f.next()) benchmark::DoNotOptimize(fr->data.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * messages));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}

// Framing of a TCP stream of LF-terminated 3164 lines, read 64 KiB at a time.
void BM_FramingLf(benchmark::State& state) {
  std::string stream;
  size_t messages = 0;
  while (stream.size() < (1 << 20))
    for (const std::string& l : k3164) {
      stream += l + "\n";
      ++messages;
    }
  for (auto _ : state) {
    StreamFramer f;
    for (size_t off = 0; off < stream.size(); off += 65536) {
      f.push(std::string_view(stream).substr(off, 65536));
      while (auto fr = f.next()) benchmark::DoNotOptimize(fr->data.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * messages));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}

}  // namespace

BENCHMARK(BM_Rfc5424);
BENCHMARK(BM_Rfc3164);
BENCHMARK(BM_Cef);
BENCHMARK(BM_KeyValue);
BENCHMARK(BM_FramingOctetCounted);
BENCHMARK(BM_FramingLf);
BENCHMARK_MAIN();
