// The JSON form of the security settings: how the store keeps them and how the API shows them,
// so the two cannot drift apart. Unknown or missing fields decode to the defaults.
#pragma once

#include <string>
#include <string_view>

#include "model/model.h"

namespace vigil {

std::string encodeSecuritySettings(const SecuritySettings& s);
SecuritySettings decodeSecuritySettings(std::string_view text);

}  // namespace vigil
