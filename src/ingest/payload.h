// Payload formats carried in a syslog MSG: CEF, LEEF 1.0/2.0 and key=value (FortiGate style).
//
// Each parser returns a value whose views point into the input text, or into the value's own
// owned buffer for fields that had escapes (decoded once, at parse time). Keep the input alive and
// unchanged while the result is used; the result may be moved freely. Errors are Error::badRequest
// with a message that says what was wrong and where. All functions are pure and thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::ingest {

struct Field {
  std::string_view key;
  std::string_view value;
};

// An ordered list of fields (duplicates kept, in input order) plus the owned decoded bytes.
struct FieldList {
  std::vector<Field> fields;
  std::unique_ptr<char[]> owned;
  // The first value for `key`, or nullptr.
  const std::string_view* find(std::string_view key) const;
};

// CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension
// Header fields decode \| and \\; extension values decode \= \\ \n \r and may contain spaces
// (a value runs to the space before the next "key=").
struct CefEvent {
  int version = 0;
  std::string_view deviceVendor, deviceProduct, deviceVersion, signatureId, name, severity;
  FieldList extension;
};
// `text` may have a prefix before "CEF:" (as in "host cef: CEF:0|..."), which is ignored.
Result<CefEvent> parseCef(std::string_view text);

// LEEF:1.0|Vendor|Product|Version|EventID|attrs (tab-separated)
// LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|attrs (delimiter: one character, or "xHH" /
// "0xHH"; tab when empty).
struct LeefEvent {
  std::string_view version;  // "1.0" or "2.0"
  std::string_view vendor, product, productVersion, eventId;
  char delimiter = '\t';
  FieldList attributes;
};
Result<LeefEvent> parseLeef(std::string_view text);

// key=value pairs separated by spaces (or tabs, or the GS byte 0x1D of Linux audit records); values may be
// double-quoted (\" and \\ decoded) or empty
// ("key=" or key=""). Tokens without '=' are skipped. An unterminated quote runs to the end.
// Error when no pair is found.
Result<FieldList> parseKeyValue(std::string_view text);

}  // namespace vigil::ingest
