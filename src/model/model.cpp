#include "model/model.h"

namespace vigil {

std::string_view orgKindName(OrgKind k) {
  switch (k) {
    case OrgKind::kProvince: return "province";
    case OrgKind::kDepartment: return "department";
    case OrgKind::kDistrict: return "district";
    case OrgKind::kCommune: return "commune";
    case OrgKind::kUnit: return "unit";
    case OrgKind::kOther: return "other";
  }
  return "other";
}

std::optional<OrgKind> parseOrgKind(std::string_view s) {
  for (OrgKind k : {OrgKind::kProvince, OrgKind::kDepartment, OrgKind::kDistrict, OrgKind::kCommune, OrgKind::kUnit,
                    OrgKind::kOther})
    if (orgKindName(k) == s) return k;
  return std::nullopt;
}

}  // namespace vigil
