// An official incident report rendered from an incident (issue 4: "an official form rendered in
// under 1 s"). Not a test: prints figures, asserts nothing. For every form of the incident
// processes (catalogs/templates/forms, the ids the processes name), `runs` times: the incident's
// data mapped into the form (api::prefillIncidentReport), the officer's fields added, the
// missing-field check, the DOCX rendered (template filled, ZIP deflated) and hashed (SHA-256), as
// the render route does before writing the file to the blob store and the register row. The
// incident is a large one: 40 step visits with a note each, 30 parties, 200 observables, a long
// description. Loading the form library (once per process start) is timed separately.
// Usage: vigil_incident_report_bench [runs (default 200)]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/incident_report_prefill.h"
#include "documents/form_library.h"

using namespace vigil;
using Steady = std::chrono::steady_clock;

namespace {

double msSince(Steady::time_point t) { return std::chrono::duration<double, std::milli>(Steady::now() - t).count(); }

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

Incident bigIncident() {
  Incident inc;
  inc.id = 42;
  inc.orgName = "Sở Y tế tỉnh Tuyên Quang";
  inc.systemName = "Cổng thông tin điện tử Sở Y tế";
  inc.systemLevel = 3;
  inc.systemOwner = "Ủy ban nhân dân tỉnh Tuyên Quang";
  inc.systemOperator = "Trung tâm Công nghệ thông tin Sở Y tế";
  inc.title = "Thay đổi giao diện và chèn mã độc vào cổng thông tin";
  inc.detectedAt = 1795000000000;
  for (int i = 0; i < 40; ++i) inc.description += "Diễn biến " + std::to_string(i) + ": máy chủ web bị tải tệp lạ. ";
  inc.classification.severityLabel = "Cao";
  inc.classification.resultJson =
      R"({"tests":[{"label":"Sự cố nghiêm trọng","met":true,"source":{"cite":"Quyết định 05/2017/QĐ-TTg, Điều 9"},)"
      R"("conditions":[{"met":true,"reason":"Hệ thống cấp độ 4"},{"met":true,"reason":"Gián đoạn dịch vụ"}]}]})";
  for (int i = 0; i < 40; ++i)
    inc.steps.push_back({i + 1,
                         "contain",
                         inc.detectedAt + i * 3600000LL,
                         "bench",
                         {{"containment_note", inc.detectedAt + i * 3600000LL + 60000,
                           "Đã cô lập máy chủ số " + std::to_string(i), "bench"}}});
  for (int i = 0; i < 30; ++i)
    inc.parties.push_back({i, "police", "Phòng An ninh mạng, cán bộ " + std::to_string(i), inc.detectedAt + i * 60000LL,
                           "phone", "", "bench", 0});
  for (int i = 0; i < 200; ++i) inc.observables.push_back({i, "ip", "198.51.100." + std::to_string(i), 0, "bench", 0});
  return inc;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  auto t0 = Steady::now();
  auto lib = documents::FormLibrary::load(std::string(VIGIL_BENCH_CATALOG_DIR) + "/templates");
  if (!lib.ok()) {
    std::fprintf(stderr, "templates: %s\n", lib.error().message.c_str());
    return 1;
  }
  std::printf("form library loaded in %.1f ms (%zu forms)\n", msSince(t0), (*lib)->forms().size());

  const Incident inc = bigIncident();
  api::IncidentReportContext ctx;
  ctx.place = "Tuyên Quang";
  ctx.todayIso = "2026-11-25";
  ctx.stepNames = {{"contain", "Ngăn chặn sự cố"}};
  ctx.outputLabels = {{"contain/containment_note", "Biện pháp ngăn chặn"}};
  ctx.systemAddresses = {"https://syt.tuyenquang.gov.vn", "203.113.131.7"};

  std::printf("%-24s %8s %8s %8s %8s %10s\n", "form", "runs", "p50 ms", "p99 ms", "max ms", "docx bytes");
  for (const char* id : {"tt20-thong-bao-su-co", "tt20-mau-03", "tt20-mau-04", "qd05-bao-cao-de-xuat",
                         "nd331-thong-bao-ngay", "nd331-thong-bao-24h", "nd331-bao-cao-72h", "nd331-bao-cao-ket-qua"}) {
    const auto* def = (*lib)->find(id);
    if (!def) {
      std::fprintf(stderr, "no form %s\n", id);
      return 1;
    }
    std::vector<double> ms;
    size_t bytes = 0;
    for (int r = 0; r < runs; ++r) {
      auto t = Steady::now();
      documents::FormData data = api::prefillIncidentReport(*def, inc, ctx);
      // The officer's part: every mandatory field still empty gets a value the field accepts.
      for (const auto& m : documents::missingFields(*def, data)) {
        const auto* f = def->field(m.name);
        if (!f) continue;
        data.fields[m.name] = !f->values.empty()                           ? f->values.front()
                              : f->kind == documents::ValueKind::kDateTime ? "25/11/2026 08:00"
                              : f->kind == documents::ValueKind::kNumber   ? "3"
                                                                         : "Nội dung cán bộ nhập cho " + m.label;
      }
      auto file = (*lib)->renderDocx(id, data);
      if (!file.ok()) {
        std::fprintf(stderr, "%s: %s\n", id, file.error().message.c_str());
        return 1;
      }
      bytes = file->bytes.size();
      ms.push_back(msSince(t));
    }
    std::printf("%-24s %8d %8.2f %8.2f %8.2f %10zu\n", id, runs, pct(ms, 0.50), pct(ms, 0.99),
                *std::max_element(ms.begin(), ms.end()), bytes);
  }
  return 0;
}
