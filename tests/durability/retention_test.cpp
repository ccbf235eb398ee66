// Retention scheduled by `vigil serve` ([events] retention_days, agency_retention_days,
// retention_interval_seconds): a data directory holding a 10-day-old day, a 4-day-old day with
// events of two agencies and today's events; serve deletes the old day, rewrites the 4-day-old one
// without the agency whose own limit is 2 days, keeps the rest, says so in its log and /metrics,
// and runs again after the interval.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "durability/serve_process.h"
#include "eventstore/store_support.h"

namespace vigil::test {
namespace {

using eventstore::testing::appendDurable;
using eventstore::testing::ids;
using eventstore::testing::kDay;
using eventstore::testing::makeEvent;

// The value of an unlabelled series in a Prometheus text exposition; -1 when absent.
double metric(const std::string& text, const std::string& name) {
  size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + name.size() + 1));
    at += name.size();
  }
  return -1;
}

std::string dayText(eventstore::TimeUs us) {
  const std::time_t t = us / 1'000'000;
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

TEST(Retention, ServeDeletesOldDaysAndAgencyEventsPastTheirLimit) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const eventstore::TimeUs now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  constexpr int64_t kAgency = 5;  // its own limit: 2 days
  {
    auto store = eventstore::EventStore::open(data / "events");
    ASSERT_TRUE(store.ok()) << store.error().message;
    std::vector<normalize::Event> events;
    for (int i = 0; i < 3; ++i) {
      events.push_back(makeEvent(100 + i, 1, now - 10 * kDay + i, "ten days old " + std::to_string(i)));
      events.push_back(makeEvent(200 + i, 1, now - 4 * kDay + i, "four days old, province " + std::to_string(i)));
      events.push_back(makeEvent(300 + i, kAgency, now - 4 * kDay + i, "four days old, agency " + std::to_string(i)));
      events.push_back(makeEvent(400 + i, 1, now - 60'000'000 + i, "today, province " + std::to_string(i)));
      events.push_back(makeEvent(500 + i, kAgency, now - 60'000'000 + i, "today, agency " + std::to_string(i)));
    }
    appendDurable(**store, events);
    (*store)->close();
  }

  ServeProcess serve(data, {{"VIGIL_EVENTS_RETENTION_DAYS", "5"},
                            {"VIGIL_EVENTS_AGENCY_RETENTION_DAYS", std::to_string(kAgency) + "=2"},
                            {"VIGIL_EVENTS_RETENTION_INTERVAL_SECONDS", "1"}});
  std::string why;
  ASSERT_TRUE(serve.start(why)) << why;
  HttpClient http(serve.port());
  std::string metrics;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  // Wait for a second pass: the first at start, the next after the 1-s interval.
  while (std::chrono::steady_clock::now() < deadline) {
    metrics = http.request("GET", "/metrics").body;
    if (metric(metrics, "vigil_eventstore_retention_runs_total") >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(metric(metrics, "vigil_eventstore_retention_runs_total"), 2) << metrics;
  EXPECT_EQ(metric(metrics, "vigil_eventstore_retention_deleted_partitions_total"), 1);
  EXPECT_EQ(metric(metrics, "vigil_eventstore_retention_rewritten_partitions_total"), 1);
  EXPECT_EQ(metric(metrics, "vigil_eventstore_retention_deleted_events_total"), 6);
  EXPECT_GT(metric(metrics, "vigil_eventstore_retention_deleted_bytes_total"), 0);
  EXPECT_EQ(metric(metrics, "vigil_eventstore_retention_failures_total"), 0);
  EXPECT_EQ(metric(metrics, "vigil_eventstore_events"), 9);
  ASSERT_EQ(serve.stop(), 0);
  const std::string log = serve.log();
  EXPECT_NE(log.find("event retention deleted 6 event(s)"), std::string::npos) << log;
  EXPECT_NE(log.find("days deleted: " + std::string(dayText(now - 10 * kDay))), std::string::npos) << log;
  EXPECT_NE(log.find("days rewritten without agencies past their own retention: " + dayText(now - 4 * kDay)),
            std::string::npos)
      << log;

  auto store = eventstore::EventStore::open(data / "events");
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(ids(**store, ""), (std::vector<int64_t>{200, 201, 202, 400, 401, 402, 500, 501, 502}));
}

// Without any retention setting serve deletes nothing and runs no pass.
TEST(Retention, NothingIsDeletedWithoutASetting) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const eventstore::TimeUs now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  {
    auto store = eventstore::EventStore::open(data / "events");
    ASSERT_TRUE(store.ok()) << store.error().message;
    appendDurable(**store, {makeEvent(1, 1, now - 3650 * kDay, "ten years old")});
  }
  ServeProcess serve(data);
  std::string why;
  ASSERT_TRUE(serve.start(why)) << why;
  const std::string metrics = HttpClient(serve.port()).request("GET", "/metrics").body;
  EXPECT_EQ(metric(metrics, "vigil_eventstore_retention_runs_total"), -1);
  EXPECT_EQ(metric(metrics, "vigil_eventstore_events"), 1);
  ASSERT_EQ(serve.stop(), 0);
}

}  // namespace
}  // namespace vigil::test
