// ReportStore: the submission register of official incident reports (issue 4, "Official reports";
// migration 10). Part of Store (store.h), same contract: a report is reached through its
// incident's organisation; reading needs kReadIncidents (otherwise kNotFound, as if missing),
// writing needs kHandleIncidents (kForbidden); every change writes its audit entry and a timeline
// entry of the incident in the same transaction; a failing method changes nothing.
//
// A register row is written when a report is rendered: the form, its legal source as the form
// definition gives it, the SHA-256 of the DOCX (the file itself is in the blob store under that
// hash), the field values as JSON, who rendered it and when. Sending (recipient, channel, time)
// and the acknowledgement (time, note) are each recorded once: SQLite triggers refuse any other
// change of a row and any deletion, so the register is append-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "model/model.h"

namespace vigil {

// How a report was sent (the channels Circular 20 Art. 9.1 and Decree 331 Art. 35 name, plus
// the incident-reporting software of the national centre or the Ministry of Public Security).
inline constexpr std::string_view kReportChannels[] = {"letter", "email", "fax", "software", "in_person", "phone"};
bool isReportChannel(std::string_view c);

struct IncidentReport {
  int64_t id = 0;
  int64_t incidentId = 0;
  int64_t orgId = 0;
  std::string formId;
  std::string formTitle;
  std::string legalSource;  // "Thông tư 20/2017/TT-BTTTT, Phụ lục I, Mẫu số 04 (...)"
  std::string layout;       // legal_text or reconstructed
  std::string sha256;       // of the DOCX, lower-case hex; the blob store key
  int64_t size = 0;
  std::string fileName;
  std::string fieldsJson;  // {"fields": {...}, "tables": {...}} as rendered
  TimeMs renderedAt = 0;
  std::string renderedBy;
  // Recorded once by markReportSent:
  std::string recipient;
  std::string channel;  // kReportChannels
  TimeMs sentAt = 0;    // 0: not sent
  std::string sentBy;
  // Recorded once by recordReportAck:
  TimeMs ackAt = 0;  // 0: not acknowledged
  std::string ackNote;
  std::string ackBy;
};

struct IncidentReportDraft {
  int64_t incidentId = 0;
  std::string formId;
  std::string formTitle;
  std::string legalSource;
  std::string layout;
  std::string sha256;
  int64_t size = 0;
  std::string fileName;
  std::string fieldsJson;
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;
  // Registers a rendered report (the caller has stored the file in the blob store first).
  virtual Result<IncidentReport> createIncidentReport(const Actor& actor, const IncidentReportDraft& d) = 0;
  // The reports of an incident, newest first.
  virtual Result<std::vector<IncidentReport>> listIncidentReports(const Actor& actor, int64_t incidentId) = 0;
  virtual Result<IncidentReport> getIncidentReport(const Actor& actor, int64_t incidentId, int64_t reportId) = 0;
  // Records the sending once; kValidation naming "sent_at" when already sent (with the time it
  // was), a time before the rendering, or an unknown channel.
  virtual Result<IncidentReport> markReportSent(const Actor& actor, int64_t incidentId, int64_t reportId,
                                                const std::string& recipient, const std::string& channel,
                                                TimeMs sentAt) = 0;
  // Records the acknowledgement once; kValidation when the report was not sent yet, is already
  // acknowledged, or the time is before the sending.
  virtual Result<IncidentReport> recordReportAck(const Actor& actor, int64_t incidentId, int64_t reportId, TimeMs ackAt,
                                                 const std::string& note) = 0;
};

}  // namespace vigil
