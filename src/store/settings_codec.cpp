#include "store/settings_codec.h"

#include <boost/json.hpp>

namespace vigil {

namespace json = boost::json;

std::string encodeSecuritySettings(const SecuritySettings& s) {
  json::array roles;
  for (Role r : s.mfaRequiredRoles) roles.emplace_back(roleName(r));
  json::object o{{"password_min_length_with_mfa", s.passwordMinLengthWithMfa},
                 {"password_min_length_without_mfa", s.passwordMinLengthWithoutMfa},
                 {"inactive_days", s.inactiveDays},
                 {"mfa_required_roles", roles},
                 {"session_idle_minutes", s.sessionIdleMinutes},
                 {"session_absolute_hours", s.sessionAbsoluteHours},
                 {"lockout_threshold", s.lockoutThreshold},
                 {"lockout_minutes", s.lockoutMinutes}};
  return json::serialize(o);
}

SecuritySettings decodeSecuritySettings(std::string_view text) {
  SecuritySettings s;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return s;
  const auto& o = v.as_object();
  auto geti = [&](const char* k, int& out) {
    if (auto* p = o.if_contains(k); p && p->is_int64()) out = static_cast<int>(p->as_int64());
  };
  geti("password_min_length_with_mfa", s.passwordMinLengthWithMfa);
  geti("password_min_length_without_mfa", s.passwordMinLengthWithoutMfa);
  geti("inactive_days", s.inactiveDays);
  geti("session_idle_minutes", s.sessionIdleMinutes);
  geti("session_absolute_hours", s.sessionAbsoluteHours);
  geti("lockout_threshold", s.lockoutThreshold);
  geti("lockout_minutes", s.lockoutMinutes);
  if (auto* p = o.if_contains("mfa_required_roles"); p && p->is_array()) {
    s.mfaRequiredRoles.clear();
    for (const auto& r : p->as_array())
      if (r.is_string())
        if (auto role = parseRole(std::string(r.as_string()))) s.mfaRequiredRoles.push_back(*role);
  }
  return s;
}

}  // namespace vigil
