// Versioned schema migrations of the SQLite store, applied in order at start. A migration is
// never edited once released: a change is a new entry at the end.
#pragma once

#include <vector>

namespace vigil::sqlite {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

const std::vector<Migration>& migrations();

}  // namespace vigil::sqlite
