// Shape checks of notification recipients, shared by the store (subscriptions) and the API (the
// "send test" action). Pure functions; thread-safe.
#pragma once

#include <string_view>

namespace vigil {

// An address as an SMTP envelope takes it: local@domain with a dot in the domain, no spaces,
// quotes, brackets, commas or control characters, at most 254 bytes.
bool isEmailAddress(std::string_view s);
// A Telegram chat: a numeric id (groups are negative; at most 15 digits) or @channelname (5 to 32
// of [A-Za-z0-9_]).
bool isTelegramChat(std::string_view s);

}  // namespace vigil
