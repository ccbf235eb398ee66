// A thin RAII layer over one SQLite connection: prepared statements cached per connection,
// typed binding and reading, and errors turned into vigil Errors. Not thread-safe: a Db belongs
// to one thread at a time (the writer thread or one borrowed reader).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::sqlite {

class Db;

// A prepared statement borrowed from the connection's cache; reset and unbound when it goes out
// of scope. Bind indexes start at 1, column indexes at 0.
class Stmt {
 public:
  Stmt(Db& db, sqlite3_stmt* s) : db_(&db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Stmt& bind(int i, std::string_view v);  // bound as TEXT
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bindBlob(int i, std::string_view v);
  Stmt& bindNull(int i);
  template <typename T>
  Stmt& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bindNull(i);
  }

  // Advances; true while a row is available. Errors are returned.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  int64_t int64(int col) const;
  std::string text(int col) const;
  std::string blob(int col) const;
  bool isNull(int col) const;
  std::optional<int64_t> optInt64(int col) const {
    return isNull(col) ? std::nullopt : std::optional<int64_t>(int64(col));
  }

 private:
  Db* db_;
  sqlite3_stmt* s_;
};

class Db {
 public:
  // Opens (creating when `create`) the database file; sets WAL, foreign keys, busy timeout.
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool readOnly, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Returns the cached prepared statement for `sql` (compiled on first use).
  Result<Stmt> prepare(std::string_view sql);
  // Runs one or more statements without parameters (migrations, pragmas, BEGIN/COMMIT).
  Status exec(const std::string& sql);
  int64_t lastInsertId() const;
  int changes() const;
  sqlite3* raw() { return db_; }
  Error lastError(std::string_view what) const;

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace vigil::sqlite
