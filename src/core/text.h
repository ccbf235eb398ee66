// Text helpers for untrusted input.
#pragma once

#include <string>
#include <string_view>

namespace vigil::text {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view s);

// True when `s` contains a control character other than tab: C0, DEL, C1 (U+0080-U+009F), or an
// invisible bidirectional override (U+202A-U+202E, U+2066-U+2069) that can disguise a name.
bool hasControlChars(std::string_view s);

// Trims ASCII white space from both ends.
std::string_view trim(std::string_view s);

// Number of Unicode code points (assumes valid UTF-8).
size_t codePoints(std::string_view s);

// Lower-cases ASCII letters.
std::string asciiLower(std::string_view s);

// `s` as a JSON string literal, quotes included (control characters escaped).
std::string jsonQuote(std::string_view s);

}  // namespace vigil::text
