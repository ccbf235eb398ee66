// Names of the alert enums (alert_store.h), as they appear in the API and the audit log.
#include "store/alert_store.h"

#include <algorithm>

namespace vigil {

namespace {
constexpr std::string_view kSeverities[] = {"low", "medium", "high", "critical"};
constexpr std::string_view kStates[] = {"new", "acknowledged", "in_progress", "false_positive", "closed"};
constexpr std::string_view kDetectors[] = {"sigma",  "web",      "source_silent",    "agent",
                                           "manual", "external", "incident_deadline"};

template <typename E, size_t N>
std::optional<E> parseIn(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace

std::string_view severityName(AlertSeverity s) { return kSeverities[static_cast<int>(s)]; }
std::optional<AlertSeverity> parseSeverity(std::string_view s) { return parseIn<AlertSeverity>(kSeverities, s); }
std::string_view alertStateName(AlertState s) { return kStates[static_cast<int>(s)]; }
std::optional<AlertState> parseAlertState(std::string_view s) { return parseIn<AlertState>(kStates, s); }
std::string_view detectorName(DetectorKind d) { return kDetectors[static_cast<int>(d)]; }
std::optional<DetectorKind> parseDetector(std::string_view s) { return parseIn<DetectorKind>(kDetectors, s); }

bool isOpen(AlertState s) {
  return s == AlertState::kNew || s == AlertState::kAcknowledged || s == AlertState::kInProgress;
}

bool isObservableType(std::string_view t) {
  return std::find(std::begin(kObservableTypes), std::end(kObservableTypes), t) != std::end(kObservableTypes);
}

}  // namespace vigil
