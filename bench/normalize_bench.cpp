// Parse + normalise throughput, one core: syslog header parse, payload parse and the catalog's
// program rules into an ECS Event, on a realistic mix of lines (events/s = items_per_second).
//
// The mix (weights in brackets) follows what an agency's network sends: mostly firewall and web
// traffic, then authentication: FortiGate traffic [4], nginx access [3], iptables [2], sshd from
// loghub's OpenSSH_2k.log [3], PAM [1], sudo [1], auditd [1], Kaspersky SC CEF [1], pfSense [1],
// a program no rule knows [1], RFC 5424 with structured data [1].
//
// BM_Mixed reuses one Event per iteration (the pipeline's worker does this: no allocation in the
// steady state); BM_MixedFreshEvent builds a new one per line, for comparison. The per-format
// benchmarks show where the time goes.
// Run: build/bench/vigil_normalize_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ingest/syslog.h"
#include "normalize/normalizer.h"

using namespace vigil;

namespace {

const std::string kFortiTraffic =
    "<189>date=2026-11-24 time=10:00:00 devname=\"FG100F-HN\" devid=\"FG100FTK20000001\" logid=\"0000000013\" "
    "type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" srcip=10.20.30.40 srcport=51234 "
    "srcintf=\"port1\" dstip=203.162.4.190 dstport=443 dstintf=\"wan1\" policyid=12 sessionid=1234567 proto=6 "
    "action=\"accept\" service=\"HTTPS\" sentbyte=1234 rcvdbyte=5678";
const std::string kNginx =
    "<190>Nov 24 10:00:00 web01 nginx: 203.113.0.9 - - [24/Nov/2026:10:00:00 +0700] \"GET /dich-vu-cong/ho-so?id=123 "
    "HTTP/2.0\" 200 5123 \"https://dichvucong.hanoi.gov.vn/\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\"";
const std::string kIptables =
    "<4>Nov 24 10:00:00 gw01 kernel: [ 3529.289825] [UFW BLOCK] IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:"
    "cc:dd SRC=185.220.101.4 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=0 DF PROTO=TCP SPT=41234 DPT=22 "
    "WINDOW=64240 RES=0x00 SYN URGP=0";
const std::vector<std::string> kSshd = {
    "<38>Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com "
    "[173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
    "<38>Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port "
    "38926 ssh2",
    "<38>Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
};
const std::string kPam =
    "<38>Dec 10 06:55:48 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 "
    "tty=ssh ruser= rhost=173.234.31.186  user=webmaster";
const std::string kSudo =
    "<85>Nov 24 10:00:00 db01 sudo:    admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/bin/systemctl "
    "restart postgresql";
const std::string kAuditd =
    "type=SYSCALL msg=audit(1795489200.380:50): arch=c000003e syscall=2 success=yes exit=3 a0=7ffedc40d83b a1=941 "
    "a2=1b6 a3=7ffedc40cce0 items=2 ppid=432 pid=3333 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
    "fsgid=0 tty=pts0 ses=2 comm=\"touch\" exe=\"/bin/touch\" key=\"audit-wazuh-w\"";
const std::string kKsc =
    "<134>Nov 24 10:00:00 ksc01.hanoi.gov.vn CEF:0|KasperskyLab|SecurityCenter|14.2.0.26967|GNRL_EV_VIRUS_FOUND|"
    "Virus found|4|msg=Result: Detected: HEUR:Trojan.Win32.Generic Object: C:\\\\Users\\\\cb01\\\\Downloads\\\\a.exe "
    "rt=1795489200000 cs9=Phong Ke toan cs9Label=GroupName dhost=PC-KT-01 dst=10.20.1.15 cs2=KES cs2Label=ProductName "
    "cs3=11.11.0.452 cs3Label=ProductVersion";
const std::string kPfsense =
    "<134>Nov 24 10:00:00 pfSense filterlog[77]: 5,,,1000102433,em0,match,block,in,4,0x0,,128,24677,0,none,17,udp,"
    "186,10.9.0.119,10.9.0.255,17500,17600,166";
const std::string kUnknown =
    "<30>Nov 24 10:00:00 app01 tomcat9[812]: INFO [main] org.apache.catalina.startup.Catalina.start Server startup "
    "in [10452] milliseconds";
const std::string k5424 =
    "<165>1 2026-11-24T10:00:00.123456+07:00 web01.stttt.hanoi.gov.vn myapp 24200 ACCESS [meta@32473 "
    "agency=\"So TTTT\" sequenceId=\"1234567\"] user signed in";

std::vector<std::string> mix() {
  std::vector<std::string> m;
  for (int i = 0; i < 4; ++i) m.push_back(kFortiTraffic);
  for (int i = 0; i < 3; ++i) m.push_back(kNginx);
  for (int i = 0; i < 2; ++i) m.push_back(kIptables);
  for (const auto& l : kSshd) m.push_back(l);
  for (const auto* l : {&kPam, &kSudo, &kAuditd, &kKsc, &kPfsense, &kUnknown, &k5424}) m.push_back(*l);
  return m;
}

const normalize::Normalizer& normalizer() {
  static const normalize::Normalizer* n = [] {
    auto r = normalize::Normalizer::load(VIGIL_NORMALIZE_CATALOG_DIR);
    if (!r) {
      std::fprintf(stderr, "catalog: %s\n", r.error().message.c_str());
      std::abort();
    }
    return new normalize::Normalizer(std::move(*r));
  }();
  return *n;
}

void runLines(benchmark::State& state, const std::vector<std::string>& lines, bool reuse) {
  ingest::ParseOptions o;
  o.receivedUs = 1'795'489'200'000'000;
  const normalize::SourceContext src{1, 2, o.receivedUs};
  const normalize::Normalizer& n = normalizer();
  normalize::Event e;
  size_t i = 0, bytes = 0, fields = 0;
  for (auto _ : state) {
    const std::string& line = lines[i];
    const ingest::SyslogMessage m = ingest::parseSyslog(line, o);
    if (reuse) {
      n.normalize(m, src, e);
      fields += e.size();
      benchmark::DoNotOptimize(e);
    } else {
      normalize::Event fresh = n.normalize(m, src);
      fields += fresh.size();
      benchmark::DoNotOptimize(fresh);
    }
    bytes += line.size();
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["fields/event"] = static_cast<double>(fields) / static_cast<double>(state.iterations());
}

void BM_Mixed(benchmark::State& state) { runLines(state, mix(), true); }
void BM_MixedFreshEvent(benchmark::State& state) { runLines(state, mix(), false); }
void BM_FortiGate(benchmark::State& state) { runLines(state, {kFortiTraffic}, true); }
void BM_NginxAccess(benchmark::State& state) { runLines(state, {kNginx}, true); }
void BM_Iptables(benchmark::State& state) { runLines(state, {kIptables}, true); }
void BM_Sshd(benchmark::State& state) { runLines(state, kSshd, true); }
void BM_KasperskyCef(benchmark::State& state) { runLines(state, {kKsc}, true); }
void BM_Auditd(benchmark::State& state) { runLines(state, {kAuditd}, true); }
void BM_UnknownProgram(benchmark::State& state) { runLines(state, {kUnknown}, true); }

}  // namespace

BENCHMARK(BM_Mixed);
BENCHMARK(BM_MixedFreshEvent);
BENCHMARK(BM_FortiGate);
BENCHMARK(BM_NginxAccess);
BENCHMARK(BM_Iptables);
BENCHMARK(BM_Sshd);
BENCHMARK(BM_KasperskyCef);
BENCHMARK(BM_Auditd);
BENCHMARK(BM_UnknownProgram);
BENCHMARK_MAIN();
