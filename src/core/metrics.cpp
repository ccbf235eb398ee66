#include "core/metrics.h"

#include <charconv>

namespace vigil {

void Metrics::describe(std::string_view family, Type type, std::string_view help) {
  std::lock_guard lock(mu_);
  auto& f = families_[std::string(family)];
  f.type = type;
  f.help = help;
}

void Metrics::add(std::string_view family, std::string_view labels, double v) {
  std::lock_guard lock(mu_);
  families_[std::string(family)].series[std::string(labels)].value += v;
}

void Metrics::set(std::string_view family, std::string_view labels, double v) {
  std::lock_guard lock(mu_);
  families_[std::string(family)].series[std::string(labels)].value = v;
}

void Metrics::observe(std::string_view family, std::string_view labels, double seconds) {
  std::lock_guard lock(mu_);
  auto& s = families_[std::string(family)].series[std::string(labels)];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.buckets[i];
  ++s.count;
  s.sum += seconds;
}

std::string Metrics::labelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

namespace {
// Shortest text that reads back as the same double ("0.005", not "0.0050000000000000001").
std::string num(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}
std::string withLabels(const std::string& labels, const std::string& extra) {
  if (labels.empty() && extra.empty()) return "";
  if (labels.empty()) return "{" + extra + "}";
  if (extra.empty()) return "{" + labels + "}";
  return "{" + labels + "," + extra + "}";
}
}  // namespace

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        out += name + withLabels(labels, "") + " " + num(s.value) + "\n";
        continue;
      }
      for (size_t i = 0; i < kBuckets.size(); ++i)
        out += name + "_bucket" + withLabels(labels, "le=\"" + num(kBuckets[i]) + "\"") + " " +
               std::to_string(s.buckets[i]) + "\n";
      out += name + "_bucket" + withLabels(labels, "le=\"+Inf\"") + " " + std::to_string(s.count) + "\n";
      out += name + "_sum" + withLabels(labels, "") + " " + num(s.sum) + "\n";
      out += name + "_count" + withLabels(labels, "") + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace vigil
