// Official forms filled from the records: what the registry knows goes into the form, the rest
// (document number, signer, recipient when the law does not name one...) is left for the user,
// who sees the missing mandatory fields listed before anything is rendered.
//
// - The level dossier forms of a system (Decree 331 Mẫu 01-07): the system, its operator and owner,
//   the proposed or approved level, the appraising and approving bodies of that level, the
//   dossier's dates and appraisal result.
// - The annual reports of an agency's subtree (or the whole scope) for a year: Decree 331 Mẫu 08
//   for the systems under regime B and the Circular 12 Art. 14 report for those under regime A,
//   with their totals and per-system tables over the data window 15/12 -> 14/12.
// Everything is read through the Store with the caller's Actor, so scoping is the store's.
// Include only from src/api/*.cpp.
#pragma once

#include <optional>
#include <vector>

#include "api/api.h"
#include "api/json_io.h"
#include "documents/form.h"

namespace vigil::api {

struct PrefilledForm {
  const documents::FormDefinition* definition = nullptr;
  documents::FormData data;
};

// Every system form of the system's regime (forms without a `systems` table), filled.
Result<std::vector<PrefilledForm>> prefillSystemForms(Api& api, const Actor& actor, int64_t systemId);

// The annual report forms (forms with a `systems` table), one per regime that has systems in the
// scope, for `year`; orgId limits the scope to that organisation's subtree.
Result<std::vector<PrefilledForm>> prefillAnnualReports(Api& api, const Actor& actor, std::optional<int64_t> orgId,
                                                        int year);

// The place name of a document's date line: the province's name without "Tỉnh " / "Thành phố "
// (Decree 30/2020 Appendix I), from the root organisation.
Result<std::string> provincePlace(Api& api);

// Reads completed form data: {"fields": {name: "text"}, "tables": {name: [{column: "text"}]}},
// every value a string; kValidation naming the place otherwise. Defined in routes_forms.cpp.
Result<documents::FormData> readFormData(const json::object& o);

// Form data as JSON, the shape readFormData reads: {"fields": {...}, "tables": {name: [{...}]}}.
// Defined in routes_forms.cpp.
json::value formDataJson(const documents::FormData& data);

// The mandatory fields `data` leaves empty, [{"name", "label"}] in the form's order ([] when
// complete). Defined in routes_forms.cpp.
json::array missingFieldsJson(const documents::FormDefinition& def, const documents::FormData& data);

}  // namespace vigil::api
