// Official incident reports (issue 4, "Official reports"): the forms an incident's process names,
// prefilled from the incident (incident_report_prefill.h); the check of completed data; rendering
// into the submission register (the DOCX in the blob store, the register row in the store); the
// register, the download, marking a report sent (which records the matching output of the current
// step, so the state machine and validateDetectedAt see it) and the acknowledgement.
//
//   GET  /api/v1/incidents/{id}/report-forms            forms with prefilled data and missing fields
//   POST /api/v1/incidents/{id}/reports/check           {form, data} -> the missing fields
//   POST /api/v1/incidents/{id}/reports                 {form, data} -> 201 register row; 422 missing
//   GET  /api/v1/incidents/{id}/reports                 the register, newest first
//   GET  /api/v1/incidents/{id}/reports/{report}/file   the DOCX
//   POST /api/v1/incidents/{id}/reports/{report}/sent   {recipient, channel, sent_at?, revision?}
//   POST /api/v1/incidents/{id}/reports/{report}/ack    {ack_at?, note}
#include <boost/json.hpp>

#include "api/api.h"
#include "api/form_prefill.h"
#include "api/incident_report_prefill.h"
#include "api/json_io.h"
#include "documents/form_library.h"
#include "model/access.h"
#include "store/blob_store.h"

namespace vigil::api {
namespace {

using documents::FormData;
using documents::FormDefinition;

json::value timeOrNull(TimeMs t) { return t > 0 ? json::value(formatRfc3339(t)) : json::value(nullptr); }

json::object reportJson(const IncidentReport& r) {
  boost::system::error_code ec;
  json::value data = json::parse(r.fieldsJson, ec);
  if (ec) data = json::object{};
  json::value sent = nullptr, ack = nullptr;
  if (r.sentAt > 0)
    sent = json::object{
        {"recipient", r.recipient}, {"channel", r.channel}, {"at", timeOrNull(r.sentAt)}, {"by", r.sentBy}};
  if (r.ackAt > 0) ack = json::object{{"at", timeOrNull(r.ackAt)}, {"note", r.ackNote}, {"by", r.ackBy}};
  return {
      {"id", r.id},
      {"incident_id", r.incidentId},
      {"form", r.formId},
      {"title", r.formTitle},
      {"legal_source", r.legalSource},
      {"layout", r.layout},
      {"sha256", r.sha256},
      {"size", r.size},
      {"file_name", r.fileName},
      {"data", std::move(data)},
      {"rendered_at", timeOrNull(r.renderedAt)},
      {"rendered_by", r.renderedBy},
      {"sent", std::move(sent)},
      {"ack", std::move(ack)},
      {"download", "/api/v1/incidents/" + std::to_string(r.incidentId) + "/reports/" + std::to_string(r.id) + "/file"}};
}

Result<int64_t> reportId(const Ctx& c) {
  auto it = c.req.params.find("report");
  if (it == c.req.params.end()) return Error::badRequest("missing report id");
  auto v = queryInt("report", it->second, 1, INT64_MAX);
  if (!v.ok()) return Error::notFound("no report with id '" + it->second + "'");
  return *v;
}

// A time given by the officer: RFC 3339, not in the future (a minute of skew is clamped to now).
Result<TimeMs> pastTime(const std::string& name, const std::string& value, TimeMs now) {
  auto t = parseRfc3339(value);
  if (!t) return Error::validation(name, "must be an RFC 3339 time such as 2026-11-24T09:30:00+07:00");
  if (*t > now + 60 * 1000) return Error::validation(name, "is in the future");
  return std::min(*t, now);
}

// The form `formId` among the incident's process forms; kValidation naming the known ones otherwise.
Result<IncidentReportForm> formOf(Api& api, const Actor& actor, const Incident& inc, const std::string& formId) {
  VIGIL_ASSIGN_OR_RETURN(auto forms, incidentReportForms(api, actor, inc));
  std::string known;
  for (auto& f : forms) {
    if (f.definition->id == formId) return std::move(f);
    known += (known.empty() ? "" : ", ") + f.definition->id;
  }
  return Error::validation("form",
                           "'" + formId + "' is not a form of " + inc.processId + " (its forms: " + known + ")");
}

struct Completed {
  IncidentReportForm form;
  FormData data;
};

// Reads {form, data} for the incident.
Result<Completed> readCompleted(Api& api, const Ctx& c, const Incident& inc) {
  VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
  VIGIL_ASSIGN_OR_RETURN(auto formId, body.requiredString("form", 60));
  VIGIL_ASSIGN_OR_RETURN(auto dataObject, body.requiredObject("data"));
  VIGIL_TRY(body.finish());
  VIGIL_ASSIGN_OR_RETURN(IncidentReportForm form, formOf(api, c.actor(), inc, formId));
  VIGIL_ASSIGN_OR_RETURN(FormData data, readFormData(*dataObject));
  return Completed{std::move(form), std::move(data)};
}

http::Response missingResponse(const FormDefinition& def, json::array missing) {
  json::object err{{"code", "validation_failed"},
                   {"message", std::to_string(missing.size()) + " mandatory field(s) of " + def.id + " are empty"},
                   {"details", json::object{{"field", "data"}, {"missing", std::move(missing)}}}};
  return jsonResponse(422, json::object{{"error", std::move(err)}});
}

}  // namespace

void registerIncidentReportRoutes(Api& api) {
  api.add("GET", "/api/v1/incidents/{id}/report-forms", "incident_report.forms", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto forms, incidentReportForms(api, c.actor(), inc));
            json::array items;
            for (const auto& f : forms) {
              const auto& d = *f.definition;
              items.push_back(
                  json::object{{"form", d.id},
                               {"title", d.title},
                               {"legal_source", d.source.cite()},
                               {"layout", d.layout == documents::Layout::kLegalText ? "legal_text" : "reconstructed"},
                               {"note", d.note},
                               {"step", f.step},
                               {"step_name", f.stepName},
                               {"output", f.output},
                               {"output_label", f.outputLabel},
                               {"current_step", f.currentStep},
                               {"data", formDataJson(f.data)},
                               {"missing", missingFieldsJson(d, f.data)}});
            }
            const auto total = static_cast<int64_t>(items.size());
            return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
          });

  // Every missing mandatory field at once; a value of the wrong kind or not among the allowed
  // ones is a 400 naming the field (once nothing is missing).
  api.add("POST", "/api/v1/incidents/{id}/reports/check", "incident_report.check", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(Completed done, readCompleted(api, c, inc));
            const FormDefinition& def = *done.form.definition;
            json::array missing = missingFieldsJson(def, done.data);
            if (missing.empty()) VIGIL_TRY(documents::checkFormData(def, done.data));
            const bool complete = missing.empty();
            return jsonResponse(200, json::object{{"form", def.id}, {"complete", complete}, {"missing", missing}});
          });

  // Renders the completed form into the register. Nothing is stored when a mandatory field is
  // missing (422 listing them all) or a value is refused (400 naming it).
  api.add("POST", "/api/v1/incidents/{id}/reports", "incident_report.render", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            if (!allows(c.actor(), Permission::kHandleIncidents, inc.orgPath))
              return Error::forbidden("you may not handle the incidents of '" + inc.orgName + "'");
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            VIGIL_ASSIGN_OR_RETURN(Completed done, readCompleted(api, c, inc));
            const FormDefinition& def = *done.form.definition;
            if (auto missing = missingFieldsJson(def, done.data); !missing.empty())
              return missingResponse(def, std::move(missing));
            VIGIL_ASSIGN_OR_RETURN(auto file, api.forms()->renderDocx(def.id, done.data));
            const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
            VIGIL_ASSIGN_OR_RETURN(StoredBlob blob, blobs.put(file.bytes));
            IncidentReportDraft d;
            d.incidentId = id;
            d.formId = def.id;
            d.formTitle = def.title;
            d.legalSource = def.source.cite();
            d.layout = def.layout == documents::Layout::kLegalText ? "legal_text" : "reconstructed";
            d.sha256 = blob.sha256;
            d.size = blob.size;
            d.fileName = file.fileName;
            d.fieldsJson = json::serialize(formDataJson(done.data));
            VIGIL_ASSIGN_OR_RETURN(IncidentReport r, api.store().createIncidentReport(c.actor(), d));
            return jsonResponse(201, reportJson(r));
          });

  api.add("GET", "/api/v1/incidents/{id}/reports", "incident_report.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listIncidentReports(c.actor(), id));
            json::array items;
            for (const auto& r : list) items.push_back(reportJson(r));
            const auto total = static_cast<int64_t>(items.size());
            return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
          });

  // The file as registered; its hash is checked again so that a damaged file is not handed out.
  api.add("GET", "/api/v1/incidents/{id}/reports/{report}/file", "incident_report.download", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(int64_t rid, reportId(c));
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(IncidentReport r, api.store().getIncidentReport(c.actor(), id, rid));
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
            VIGIL_ASSIGN_OR_RETURN(StoredBlob now, blobs.rehash(r.sha256));
            if (now.sha256 != r.sha256 || now.size != r.size)
              return Error::internal("the stored file of report " + std::to_string(rid) +
                                     " no longer matches its registered SHA-256");
            VIGIL_ASSIGN_OR_RETURN(std::string bytes, blobs.get(r.sha256));
            auto resp = http::Response::text(200, std::move(bytes),
                                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
            resp.setHeader("Content-Disposition", "attachment; filename=\"" + r.fileName + "\"");
            resp.setHeader("X-Content-SHA256", r.sha256);
            return resp;
          });

  // Marks the report sent. When the incident's current step asks for this form (an output of kind
  // form naming it, not yet recorded in this visit), that output is recorded first through the
  // incident update path, which needs the incident's `revision`; then the register row. If the
  // register write failed after that (a concurrent sending of the same report), the output stays
  // recorded: the report was sent.
  api.add("POST", "/api/v1/incidents/{id}/reports/{report}/sent", "incident_report.sent", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(int64_t rid, reportId(c));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(std::string recipient, body.requiredString("recipient", 300));
            VIGIL_ASSIGN_OR_RETURN(std::string channel, body.requiredString("channel", 20));
            VIGIL_ASSIGN_OR_RETURN(auto sentAtText, body.optionalString("sent_at", 40));
            VIGIL_ASSIGN_OR_RETURN(auto revision, body.optionalInt("revision", 1, INT64_MAX));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(recipient, cleanText("recipient", recipient, 300, false));
            if (!isReportChannel(channel)) {
              std::string known;
              for (auto k : kReportChannels) known += (known.empty() ? "" : ", ") + std::string(k);
              return Error::validation("channel", "'" + channel + "' is not one of " + known);
            }
            const TimeMs now = api.clock().nowMs();
            TimeMs sentAt = now;
            if (sentAtText) {
              VIGIL_ASSIGN_OR_RETURN(sentAt, pastTime("sent_at", *sentAtText, now));
            }
            VIGIL_ASSIGN_OR_RETURN(IncidentReport r, api.store().getIncidentReport(c.actor(), id, rid));
            if (r.sentAt != 0)
              return Error::validation("sent_at", "report " + std::to_string(rid) + " was already sent at " +
                                                      formatRfc3339(r.sentAt) + " to " + r.recipient);
            if (sentAt < r.renderedAt)
              return Error::validation("sent_at",
                                       "is before the report was rendered (" + formatRfc3339(r.renderedAt) + ")");
            VIGIL_ASSIGN_OR_RETURN(Incident inc, api.store().getIncident(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto forms, incidentReportForms(api, c.actor(), inc));
            const IncidentReportForm* asked = nullptr;
            for (const auto& f : forms)
              if (f.definition->id == r.formId && f.currentStep) asked = &f;
            bool recordedNow = false;
            if (asked && !inc.closed) {
              bool already = false;
              if (!inc.steps.empty())
                for (const auto& o : inc.steps.back().outputs) already = already || o.id == asked->output;
              if (!already) {
                const TimeMs entered = inc.steps.empty() ? 0 : inc.steps.back().enteredAt;
                if (sentAt < entered)
                  return Error::validation("sent_at", "is before step " + asked->step + " was entered (" +
                                                          formatRfc3339(entered) + "), which records '" +
                                                          asked->outputLabel + "' on sending");
                if (!revision)
                  return Error::validation("revision", "is required: sending " + r.formId + " records '" +
                                                           asked->outputLabel + "' of step " + asked->step);
                const std::string text = r.formTitle + ": gửi " + recipient + " (" + channel + "), sổ đăng ký số " +
                                         std::to_string(r.id) + ", SHA-256 " + r.sha256;
                VIGIL_TRY(recordCurrentStepOutput(api, c.actor(), id, *revision, asked->output, text, sentAt));
                recordedNow = true;
              }
            }
            VIGIL_ASSIGN_OR_RETURN(IncidentReport sent,
                                   api.store().markReportSent(c.actor(), id, rid, recipient, channel, sentAt));
            auto out = reportJson(sent);
            out["recorded_output"] = recordedNow ? json::value(asked->output) : json::value(nullptr);
            return jsonResponse(200, out);
          });

  api.add("POST", "/api/v1/incidents/{id}/reports/{report}/ack", "incident_report.ack", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(int64_t rid, reportId(c));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            VIGIL_ASSIGN_OR_RETURN(auto ackAtText, body.optionalString("ack_at", 40));
            VIGIL_ASSIGN_OR_RETURN(auto note, body.optionalText("note", 2000));
            VIGIL_TRY(body.finish());
            const TimeMs now = api.clock().nowMs();
            TimeMs ackAt = now;
            if (ackAtText) {
              VIGIL_ASSIGN_OR_RETURN(ackAt, pastTime("ack_at", *ackAtText, now));
            }
            std::string text;
            if (note) {
              VIGIL_ASSIGN_OR_RETURN(text, cleanText("note", *note, 2000, true));
            }
            VIGIL_ASSIGN_OR_RETURN(IncidentReport r, api.store().recordReportAck(c.actor(), id, rid, ackAt, text));
            return jsonResponse(200, reportJson(r));
          });
}

}  // namespace vigil::api
