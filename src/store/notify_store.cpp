// Names of the notification enums (notify_store.h), as they appear in the API, the database and
// the audit log.
#include "store/notify_store.h"

namespace vigil {

namespace {
constexpr std::string_view kNoticeKinds[] = {"alert_new", "deadline_warning", "deadline_breach", "incident_created"};
constexpr std::string_view kChannelKinds[] = {"email", "webhook", "telegram"};
constexpr std::string_view kDeliveryStatuses[] = {"pending", "sent", "failed"};

template <typename E, size_t N>
std::optional<E> parseIn(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace

std::string_view noticeKindName(NoticeKind k) { return kNoticeKinds[static_cast<int>(k)]; }
std::optional<NoticeKind> parseNoticeKind(std::string_view s) { return parseIn<NoticeKind>(kNoticeKinds, s); }
std::string_view channelKindName(ChannelKind k) { return kChannelKinds[static_cast<int>(k)]; }
std::optional<ChannelKind> parseChannelKind(std::string_view s) { return parseIn<ChannelKind>(kChannelKinds, s); }
std::string_view deliveryStatusName(DeliveryStatus s) { return kDeliveryStatuses[static_cast<int>(s)]; }
std::optional<DeliveryStatus> parseDeliveryStatus(std::string_view s) {
  return parseIn<DeliveryStatus>(kDeliveryStatuses, s);
}

}  // namespace vigil
