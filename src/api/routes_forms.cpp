// Official forms: their definitions, the forms of a system filled from the registry, the annual
// reports of an agency filled from the registry, and rendering of completed data as DOCX/XLSX.
// Rendering reads no stored object: it renders what the user sends (after the missing-field check),
// so the user can complete what the records do not hold (document number, signer...).
#include <chrono>

#include "api/api.h"
#include "api/form_prefill.h"
#include "api/json_io.h"
#include "api/registry_io.h"
#include "documents/form_library.h"

namespace vigil::api {
namespace {

using documents::FormData;
using documents::FormDefinition;

const char* kindName(documents::ValueKind k) {
  switch (k) {
    case documents::ValueKind::kText: return "text";
    case documents::ValueKind::kNumber: return "number";
    case documents::ValueKind::kDate: return "date";
    case documents::ValueKind::kDateTime: return "datetime";
  }
  return "text";
}

template <typename Def>
json::object inputJson(const Def& d) {
  json::array values;
  for (const auto& v : d.values) values.emplace_back(v);
  return json::object{{"name", d.name},
                      {"label", d.label},
                      {"required", d.required},
                      {"kind", kindName(d.kind)},
                      {"values", std::move(values)},
                      {"multiple", d.multiple}};
}

json::value definitionJson(const FormDefinition& def) {
  json::array fields;
  for (const auto& f : def.fields) fields.push_back(inputJson(f));
  json::array tables;
  for (const auto& t : def.tables) {
    json::array columns;
    for (const auto& c : t.columns) {
      auto o = inputJson(c);
      o["row_number"] = c.rowNumber;
      columns.push_back(std::move(o));
    }
    tables.push_back(
        json::object{{"name", t.name}, {"label", t.label}, {"required", t.required}, {"columns", std::move(columns)}});
  }
  json::array formats{"docx"};
  if (!def.xlsxSheets.empty()) formats.emplace_back("xlsx");
  return json::object{
      {"id", def.id},
      {"title", def.title},
      {"regime", def.regime},
      {"source",
       json::object{{"document", def.source.document}, {"article", def.source.article}, {"cite", def.source.cite()}}},
      {"layout", def.layout == documents::Layout::kLegalText ? "legal_text" : "reconstructed"},
      {"note", def.note},
      {"formats", std::move(formats)},
      {"fields", std::move(fields)},
      {"tables", std::move(tables)}};
}

http::Response prefilledResponse(const std::vector<PrefilledForm>& forms) {
  json::array items;
  for (const auto& f : forms)
    items.push_back(json::object{{"form", f.definition->id},
                                 {"title", f.definition->title},
                                 {"data", formDataJson(f.data)},
                                 {"missing", missingFieldsJson(*f.definition, f.data)}});
  const auto total = static_cast<int64_t>(items.size());
  return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
}

}  // namespace

// Declared in form_prefill.h.
json::value formDataJson(const FormData& data) {
  json::object fields;
  for (const auto& [k, v] : data.fields) fields[k] = v;
  json::object tables;
  for (const auto& [name, rows] : data.tables) {
    json::array list;
    for (const auto& row : rows) {
      json::object r;
      for (const auto& [k, v] : row) r[k] = v;
      list.push_back(std::move(r));
    }
    tables[name] = std::move(list);
  }
  return json::object{{"fields", std::move(fields)}, {"tables", std::move(tables)}};
}

// Declared in form_prefill.h.
json::array missingFieldsJson(const FormDefinition& def, const FormData& data) {
  json::array out;
  for (const auto& m : documents::missingFields(def, data))
    out.push_back(json::object{{"name", m.name}, {"label", m.label}});
  return out;
}

// Declared in form_prefill.h.
Result<FormData> readFormData(const json::object& o) {
  FormData data;
  for (const auto& [key, v] : o) {
    if (key != "fields" && key != "tables")
      return Error::validation("data." + std::string(key), "is not a known field");
  }
  if (auto it = o.find("fields"); it != o.end()) {
    if (!it->value().is_object()) return Error::validation("data.fields", "must be an object of texts");
    for (const auto& [k, v] : it->value().as_object()) {
      if (!v.is_string()) return Error::validation(std::string(k), "must be a text");
      data.fields[std::string(k)] = std::string(v.as_string());
    }
  }
  if (auto it = o.find("tables"); it != o.end()) {
    if (!it->value().is_object()) return Error::validation("data.tables", "must be an object of row lists");
    for (const auto& [k, v] : it->value().as_object()) {
      const std::string table(k);
      if (!v.is_array()) return Error::validation(table, "must be a list of rows");
      auto& rows = data.tables[table];
      for (size_t i = 0; i < v.as_array().size(); ++i) {
        const auto& r = v.as_array()[i];
        const std::string where = table + "[" + std::to_string(i + 1) + "]";
        if (!r.is_object()) return Error::validation(where, "must be an object of texts");
        documents::Row row;
        for (const auto& [ck, cv] : r.as_object()) {
          if (!cv.is_string()) return Error::validation(where + "." + std::string(ck), "must be a text");
          row[std::string(ck)] = std::string(cv.as_string());
        }
        rows.push_back(std::move(row));
      }
    }
  }
  return data;
}

namespace {

Result<int> readYear(const http::Request& req, const Api& api) {
  const auto v = req.queryParam("year");
  if (!v) {
    // The report year is the one whose data window (15/12 -> 14/12) holds today.
    const std::string today = todayLocal(api);
    int year = std::stoi(today.substr(0, 4));
    if (today.substr(5) >= "12-15") ++year;
    return year;
  }
  VIGIL_ASSIGN_OR_RETURN(int64_t y, queryInt("year", *v, 2016, 2100));
  return static_cast<int>(y);
}

}  // namespace

void registerFormRoutes(Api& api) {
  api.add("GET", "/api/v1/forms", "form.list", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    VIGIL_TRY(onlyQueryParams(c.req, {}));
    if (!api.forms()) return Error::unavailable("the form templates are not loaded");
    json::array items;
    for (const auto* def : api.forms()->forms()) items.push_back(definitionJson(*def));
    const auto total = static_cast<int64_t>(items.size());
    return jsonResponse(200, json::object{{"items", std::move(items)}, {"total", total}});
  });

  api.add("GET", "/api/v1/systems/{id}/forms", "form.prefill_system", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_ASSIGN_OR_RETURN(int64_t id, c.id());
            VIGIL_TRY(onlyQueryParams(c.req, {}));
            VIGIL_ASSIGN_OR_RETURN(auto forms, prefillSystemForms(api, c.actor(), id));
            return prefilledResponse(forms);
          });

  api.add("GET", "/api/v1/reports/annual", "form.prefill_annual", Access::kUser,
          [&api](Ctx& c) -> Result<http::Response> {
            VIGIL_TRY(onlyQueryParams(c.req, {"org_id", "year"}));
            std::optional<int64_t> orgId;
            if (auto v = c.req.queryParam("org_id")) {
              VIGIL_ASSIGN_OR_RETURN(orgId, queryInt("org_id", *v, 1, INT64_MAX));
            }
            VIGIL_ASSIGN_OR_RETURN(int year, readYear(c.req, api));
            VIGIL_ASSIGN_OR_RETURN(auto forms, prefillAnnualReports(api, c.actor(), orgId, year));
            return prefilledResponse(forms);
          });

  // The body is the completed form; nothing stored is read, so there is nothing to scope.
  api.add("POST", "/api/v1/forms/render", "form.render", Access::kUser, [&api](Ctx& c) -> Result<http::Response> {
    if (!api.forms()) return Error::unavailable("the form templates are not loaded");
    VIGIL_ASSIGN_OR_RETURN(auto body, BodyReader::parse(c.req));
    VIGIL_ASSIGN_OR_RETURN(auto formId, body.requiredString("form", 60));
    VIGIL_ASSIGN_OR_RETURN(auto format, body.optionalString("format", 10, false));
    VIGIL_ASSIGN_OR_RETURN(auto dataObject, body.requiredObject("data"));
    VIGIL_TRY(body.finish());
    const FormDefinition* def = api.forms()->find(formId);
    if (!def) return Error::validation("form", "no form '" + formId + "'");
    const std::string fmt = format.value_or("docx");
    if (fmt != "docx" && fmt != "xlsx") return Error::validation("format", "must be docx or xlsx");
    VIGIL_ASSIGN_OR_RETURN(FormData data, readFormData(*dataObject));
    // Every missing mandatory field at once, so the user fixes them in one go.
    if (auto missing = missingFieldsJson(*def, data); !missing.empty()) {
      json::object err{{"code", "validation_failed"},
                       {"message", std::to_string(missing.size()) + " mandatory field(s) of " + def->id + " are empty"},
                       {"details", json::object{{"field", "data"}, {"missing", std::move(missing)}}}};
      return jsonResponse(400, json::object{{"error", std::move(err)}});
    }
    auto file = fmt == "xlsx" ? api.forms()->renderXlsx(def->id, data) : api.forms()->renderDocx(def->id, data);
    if (!file.ok()) {
      if (file.error().code == ErrorCode::kNotFound)
        return Error::validation("format", def->id + " has no " + fmt + " version");
      return file.error();
    }
    auto r = http::Response::text(200, std::move(file->bytes), file->mediaType);
    r.setHeader("Content-Disposition", "attachment; filename=\"" + file->fileName + "\"");
    r.setHeader("X-Content-SHA256", file->sha256);
    return r;
  });
}

}  // namespace vigil::api
