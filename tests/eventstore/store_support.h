// Helpers of the event store tests: a temporary directory, events built by hand, and waiting for
// the durable callback.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "eventstore/event_store.h"
#include "normalize/event.h"

namespace vigil::eventstore::testing {

constexpr TimeUs kBase = 1'795'514'400'000'000LL;  // 2026-11-24T10:00:00Z
constexpr TimeUs kMinute = 60'000'000LL;
constexpr TimeUs kDay = 86'400'000'000LL;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("vigil-es-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct FieldSpec {
  const char* name;  // a literal: outlives the Event
  std::string value;
};

// An event with "test.id" = id, @timestamp = time, and string fields; a field value found inside
// `raw` is stored as a slice of it (the normaliser's common case).
inline normalize::Event makeEvent(int64_t id, int64_t org, TimeUs time, const std::string& raw,
                                  const std::vector<FieldSpec>& fields = {}, int64_t source = 1) {
  normalize::Event e;
  e.reset(raw);
  e.orgId = org;
  e.sourceId = source;
  e.receivedUs = time + 1000;
  e.setTime("@timestamp", time);
  e.setInt("test.id", id);
  e.setSource(raw.data());
  for (const auto& f : fields) {
    const size_t at = raw.find(f.value);
    e.setString(f.name,
                at == std::string::npos ? std::string_view(f.value) : std::string_view(raw).substr(at, f.value.size()));
  }
  e.setSource(nullptr);
  return e;
}

// Appends and waits for the durable callback; fails the test on refusal or error.
inline void appendDurable(EventStore& store, const std::vector<normalize::Event>& events) {
  std::promise<Status> done;
  auto fut = done.get_future();
  Status st = store.append(events, [&](const Status& s) { done.set_value(s); });
  ASSERT_TRUE(st.ok()) << st.error().message;
  Status result = fut.get();
  ASSERT_TRUE(result.ok()) << result.error().message;
}

inline Scope allOrgs() { return Scope{true, {}}; }

// The sorted "test.id" values of the events a query finds.
inline std::vector<int64_t> ids(const EventStore& store, const std::string& query, Scope scope = allOrgs(),
                                TimeUs from = 0, TimeUs to = INT64_MAX) {
  SearchRequest req;
  req.scope = std::move(scope);
  req.query = query;
  req.fromUs = from;
  req.toUs = to;
  req.limit = 10000;
  auto r = store.search(req);
  EXPECT_TRUE(r.ok()) << query << ": " << (r.ok() ? "" : r.error().message);
  std::vector<int64_t> out;
  if (!r.ok()) return out;
  for (const auto& e : r->events) {
    const StoredField* f = e.field("test.id");
    out.push_back(f ? f->number : -1);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil::eventstore::testing
