// Names of the notification enums (notify_store.h), as they appear in the API, the database and
// the audit log.
#include "store/notify_store.h"

#include <algorithm>
#include <cctype>

#include "store/notify_checks.h"

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

bool isEmailAddress(std::string_view s) {
  if (s.size() < 3 || s.size() > 254) return false;
  const size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= s.size() || s.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char ch : s)
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f ||
        std::string_view("<>()[],;:\"\\").find(ch) != std::string_view::npos)
      return false;
  return s.find('.', at) != std::string_view::npos;
}

// Telegram's ids fit in 52 bits: 15 digits are enough.
bool isTelegramChat(std::string_view s) {
  if (!s.empty() && s.front() == '@') {
    const auto name = s.substr(1);
    return name.size() >= 5 && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char ch) {
             return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
           });
  }
  const auto digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
  return !digits.empty() && digits.size() <= 15 &&
         std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

}  // namespace vigil
