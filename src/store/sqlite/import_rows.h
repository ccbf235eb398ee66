// The loop shared by the store's all-or-nothing imports (importSystems, importAssets,
// importPortals). Include from src/store/sqlite/*.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigil::sqlite {

// `insert(row)` (returning Result<int64_t>, the new id) on every row in order, inside the
// caller's write transaction. The first failure stops it with its message prefixed by the row's
// line in the file ("row N: ...", N = index + 2, the header being line 1), so that the transaction
// rolls back and nothing is imported. `ids` holds the new ids in row order.
template <class Row, class Insert>
Status insertImportRows(const std::vector<Row>& rows, std::vector<int64_t>& ids, Insert&& insert) {
  ids.clear();
  for (size_t i = 0; i < rows.size(); ++i) {
    auto id = insert(rows[i]);
    if (!id.ok()) {
      Error e = id.takeError();
      e.message = "row " + std::to_string(i + 2) + ": " + e.message;
      return e;
    }
    ids.push_back(*id);
  }
  return {};
}

}  // namespace vigil::sqlite
