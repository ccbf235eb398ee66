// A small Prometheus metrics registry: counters, gauges and histograms keyed by family and a
// pre-rendered label set, exported in the text exposition format. Written here because Debian 12
// packages no maintained C++ Prometheus client; the format is a few lines. Thread-safe.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace vigil {

class Metrics {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  // Declares a family once, before use (type and help text for the exposition).
  void describe(std::string_view family, Type type, std::string_view help);
  // `labels` is the inside of the braces, e.g. `route="/api/v1/orgs",method="GET"` (may be empty).
  void add(std::string_view family, std::string_view labels, double v = 1);
  void set(std::string_view family, std::string_view labels, double v);
  void observe(std::string_view family, std::string_view labels, double seconds);
  std::string render() const;

  // Escapes a label value for the exposition format.
  static std::string labelValue(std::string_view v);

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1,    5};
  struct Series {
    double value = 0;  // counter / gauge
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::map<std::string, Series> series;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // GUARDED_BY(mu_)
};

}  // namespace vigil
