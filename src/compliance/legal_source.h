// Source: where a rule of a compliance catalog comes from (document, article, clause). Every row
// of every catalog under catalogs/ carries one.
#pragma once

#include <string>

namespace vigil::compliance {

// Where a rule comes from: "Nghị định 331/2026/NĐ-CP", article "13", clause "2.c".
struct Source {
  std::string document;
  std::string article;
  std::string clause;  // may be empty when the article has no clauses
  // "Nghị định 331/2026/NĐ-CP, Điều 13 khoản 2.c"
  std::string cite() const;
};

}  // namespace vigil::compliance
