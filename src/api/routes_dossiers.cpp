// Level dossiers (hồ sơ đề xuất cấp độ): opening one for a system, the workflow steps with their
// dated deadlines, and attachments kept content-addressed in the blob store.
#include "api/registry_io.h"
#include "core/text.h"
#include "store/blob_store.h"

namespace vigil::api {
namespace {

Result<json::value> dossierView(Api& api, const Actor& actor, const Dossier& d) {
  VIGIL_ASSIGN_OR_RETURN(auto files, api.store().listAttachments(actor, d.id));
  return dossierToJson(api, d, files);
}

}  // namespace

void registerDossierRoutes(Api& api) {
  api.add("GET", "/api/v1/systems/{id}/dossiers", "dossier.list", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto list, api.store().listDossiers(c.actor(), id));
            json::array items;
            for (const auto& d : list) {
              VIGIL_ASSIGN_OR_RETURN(auto v, dossierView(api, c.actor(), d));
              items.push_back(std::move(v));
            }
            const auto total = static_cast<int64_t>(items.size());
            return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
          });

  api.add("POST", "/api/v1/systems/{id}/dossiers", "dossier.create", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req, true));
            VIGIL_TRY(body.finish());
            VIGIL_ASSIGN_OR_RETURN(auto d, api.store().createDossier(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto v, dossierView(api, c.actor(), d));
            return jsonResponse(201, v);
          });

  api.add("GET", "/api/v1/dossiers/{id}", "dossier.read", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
    VIGIL_ASSIGN_OR_RETURN(auto d, api.store().getDossier(c.actor(), id));
    VIGIL_ASSIGN_OR_RETURN(auto v, dossierView(api, c.actor(), d));
    return jsonResponse(200, v);
  });

  api.add("POST", "/api/v1/dossiers/{id}/transition", "dossier.transition", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(api.store().getDossier(c.actor(), id));
            VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
            DossierTransition t;
            VIGIL_ASSIGN_OR_RETURN(t.to, body.requiredString("to", 30));
            VIGIL_ASSIGN_OR_RETURN(auto on, body.requiredString("on", 10));
            VIGIL_ASSIGN_OR_RETURN(auto result, body.optionalString("result", 20));
            VIGIL_ASSIGN_OR_RETURN(auto items, body.optionalString("items_to_fix", 4000));
            VIGIL_ASSIGN_OR_RETURN(auto number, body.optionalString("decision_number", 100));
            VIGIL_ASSIGN_OR_RETURN(auto decisionBody, body.optionalString("decision_body", 300));
            VIGIL_ASSIGN_OR_RETURN(auto level, body.optionalInt("approved_level", 1, 5));
            VIGIL_ASSIGN_OR_RETURN(auto note, body.optionalString("note", 2000));
            VIGIL_TRY(body.finish());
            if (t.to != "sent_for_appraisal" && t.to != "appraised" && t.to != "approved")
              return Error::validation("to", "must be sent_for_appraisal, appraised or approved");
            VIGIL_ASSIGN_OR_RETURN(auto day, checkDate("on", on));
            t.on = day.value_or("");
            if (t.on > todayLocal(api)) return Error::validation("on", "is in the future");
            t.result = result.value_or("");
            t.itemsToFix = items.value_or("");
            t.decisionNumber = number.value_or("");
            t.decisionBody = decisionBody.value_or("");
            if (level) t.approvedLevel = static_cast<int>(*level);
            t.note = note.value_or("");
            VIGIL_ASSIGN_OR_RETURN(auto d, api.store().transitionDossier(c.actor(), id, t));
            VIGIL_ASSIGN_OR_RETURN(auto v, dossierView(api, c.actor(), d));
            return jsonResponse(200, v);
          });

  // The file is the raw request body; kind and filename are query parameters. Its type is taken
  // from its content (BlobStore::detectContentType), never from the name or the header.
  api.add("POST", "/api/v1/dossiers/{id}/attachments", "dossier.attach", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {"kind", "filename"}));
            // Scope and right first: nothing is written for a dossier the caller may not change.
            VIGIL_ASSIGN_OR_RETURN(auto d, api.store().getDossier(c.actor(), id));
            (void)d;
            const auto kind = c.req.queryParam("kind").value_or("");
            if (!isOneOf(kind, kAttachmentKinds))
              return Error::validation("kind", "must be one of " + listOf(kAttachmentKinds));
            VIGIL_ASSIGN_OR_RETURN(auto filename,
                                   cleanText("filename", c.req.queryParam("filename").value_or(""), 200, false));
            if (filename.find_first_of("/\\") != std::string::npos)
              return Error::validation("filename", "must be a file name without folders");
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
            VIGIL_ASSIGN_OR_RETURN(auto stored, blobs.put(c.req.body));
            Attachment a{.kind = kind,
                         .filename = filename,
                         .contentType = stored.contentType,
                         .size = stored.size,
                         .sha256 = stored.sha256};
            VIGIL_ASSIGN_OR_RETURN(auto saved, api.store().addAttachment(c.actor(), id, a));
            return jsonResponse(201, attachmentToJson(saved));
          });

  api.add("GET", "/api/v1/attachments/{id}", "attachment.read", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto a, api.store().getAttachment(c.actor(), id));
            if (api.blobDir().empty()) return Error::unavailable("file storage is not configured");
            const BlobStore blobs(api.blobDir(), api.registryConfig().maxAttachmentBytes);
            auto bytes = blobs.get(a.sha256);
            if (!bytes.ok())
              return Error::internal("the stored file of attachment " + std::to_string(id) +
                                     " is missing: " + bytes.error().message);
            auto r = http::Response::text(200, std::move(bytes).value(), a.contentType);
            r.setHeader("Content-Disposition", contentDisposition(a.filename));
            r.setHeader("X-Content-Type-Options", "nosniff");
            r.setHeader("ETag", "\"" + a.sha256 + "\"");
            return r;
          });
}

}  // namespace vigil::api
