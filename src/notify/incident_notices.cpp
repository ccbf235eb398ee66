#include "notify/incident_notices.h"

#include <algorithm>

#include "core/clock.h"

namespace vigil::notify {

namespace {

constexpr const char* kSeverityVi[] = {"thấp", "trung bình", "cao", "nghiêm trọng"};

std::string incidentLink(const Incident& inc, const std::string& linkBase) {
  if (linkBase.empty()) return "";
  std::string base = linkBase;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/incidents/" + std::to_string(inc.id);
}

// "3 giờ 20 phút / 3 h 20 min" from a duration in milliseconds (rounded down to minutes).
std::string durationText(TimeMs ms) {
  const int64_t minutes = std::max<int64_t>(0, ms / 60000);
  const int64_t days = minutes / (24 * 60), hours = (minutes / 60) % 24, mins = minutes % 60;
  std::string vi, en;
  if (days > 0) {
    vi += std::to_string(days) + " ngày ";
    en += std::to_string(days) + " d ";
  }
  if (days > 0 || hours > 0) {
    vi += std::to_string(hours) + " giờ ";
    en += std::to_string(hours) + " h ";
  }
  vi += std::to_string(mins) + " phút";
  en += std::to_string(mins) + " min";
  return vi + " / " + en;
}

// The lines every incident notice starts with.
std::string incidentLines(const Incident& inc) {
  std::string b;
  b += "Sự cố / Incident #" + std::to_string(inc.id) + ": " + inc.title + "\n";
  b += "Cơ quan, đơn vị / Agency: " + inc.orgName + "\n";
  if (!inc.systemName.empty()) b += "Hệ thống thông tin / Information system: " + inc.systemName + "\n";
  b += "Quy trình / Process: " + inc.processId + " v" + std::to_string(inc.processVersion) +
       ", bước hiện tại / current step: " + inc.currentStep + "\n";
  b += "Thời điểm phát hiện / Detected: " + formatRfc3339(inc.detectedAt) + "\n";
  return b;
}

}  // namespace

AlertSeverity deadlineSeverity(int level) {
  switch (level) {
    case 50: return AlertSeverity::kLow;
    case 75: return AlertSeverity::kMedium;
    case 90: return AlertSeverity::kHigh;
    default: return AlertSeverity::kCritical;
  }
}

Notice deadlineWarningNotice(const Incident& inc, const DeadlineFacts& d, TimeMs now, const std::string& linkBase) {
  Notice n;
  n.orgId = inc.orgId;
  n.kind = NoticeKind::kDeadlineWarning;
  n.severity = deadlineSeverity(d.level);
  const std::string pct = std::to_string(d.level) + " %";
  n.subject =
      "[Vigil] Sắp đến hạn (" + pct + ") / Deadline at " + pct + ": " + d.label + " — sự cố #" + std::to_string(inc.id);
  std::string b = "Đã dùng " + pct + " thời hạn / " + pct + " of the allowed time has passed\n";
  b += "Thời hạn / Deadline: " + d.label + " (" + d.deadlineId + ")\n";
  b += "Hạn chót / Due: " + formatRfc3339(d.dueAt) + "\n";
  b += "Còn lại / Time left: " + durationText(d.dueAt - now) + "\n";
  b += incidentLines(inc);
  n.body = std::move(b);
  n.link = incidentLink(inc, linkBase);
  return n;
}

Notice deadlineBreachNotice(const Incident& inc, const DeadlineFacts& d, Role supervisor, TimeMs now,
                            const std::string& linkBase) {
  Notice n;
  n.orgId = inc.orgId;
  n.kind = NoticeKind::kDeadlineBreach;
  n.severity = AlertSeverity::kCritical;
  n.escalateTo = supervisor;
  n.subject = "[Vigil] QUÁ HẠN / DEADLINE BREACHED: " + d.label + " — sự cố #" + std::to_string(inc.id);
  std::string b = "Đã quá hạn, đã ghi nhận vi phạm thời hạn và báo cáo lên vai trò " +
                  std::string(roleName(supervisor)) +
                  " / The deadline has passed; the breach is recorded and escalated to the " +
                  std::string(roleName(supervisor)) + " role\n";
  b += "Thời hạn / Deadline: " + d.label + " (" + d.deadlineId + ")\n";
  b += "Hạn chót / Due: " + formatRfc3339(d.dueAt) + "\n";
  b += "Quá hạn / Overdue by: " + durationText(now - d.dueAt) + "\n";
  b += incidentLines(inc);
  n.body = std::move(b);
  n.link = incidentLink(inc, linkBase);
  return n;
}

Notice incidentCreatedNotice(const Incident& inc, const std::string& linkBase) {
  Notice n;
  n.orgId = inc.orgId;
  n.kind = NoticeKind::kIncidentCreated;
  n.severity = parseSeverity(inc.classification.severity).value_or(AlertSeverity::kMedium);
  const std::string sevVi = kSeverityVi[static_cast<int>(n.severity)];
  const std::string sevEn(severityName(n.severity));
  n.subject = "[Vigil] Sự cố mới (" + sevVi + ") / New incident (" + sevEn + "): " + inc.title;
  std::string b = incidentLines(inc);
  if (inc.predecessorId)
    b += "Tiếp nối sự cố / Continues incident #" + std::to_string(*inc.predecessorId) + " (" + inc.predecessorProcess +
         ")\n";
  b += "Mức độ (thang nội bộ) / Severity (internal scale): " + sevVi + " (" + sevEn + ")\n";
  if (!inc.classification.flags.empty()) {
    b += "Phân loại / Flags:";
    for (const auto& f : inc.classification.flags) b += " " + f;
    b += "\n";
  }
  b += "Người tạo / Opened by: " + inc.createdBy + "\n";
  n.body = std::move(b);
  n.link = incidentLink(inc, linkBase);
  return n;
}

}  // namespace vigil::notify
