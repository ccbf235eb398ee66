// CEF, LEEF and key=value parsers (see payload.h). Single pass scanners over the input; decoded
// copies are made only for fields that contain escapes.
#include "ingest/payload.h"

#include <string>

namespace vigil::ingest {

namespace {

// Firewall and AV lines carry 10-40 fields: one allocation up front instead of five regrowths.
constexpr size_t kTypicalFields = 32;

// Decodes escaped fields into one lazily allocated buffer no larger than the input (decoding
// never lengthens a field), so views into it stay valid while the owning value lives.
class Decoder {
 public:
  Decoder(std::unique_ptr<char[]>& owned, size_t capacity) : owned_(owned), capacity_(capacity) {}

  // Drops the backslash before any character in `escapable`; "\n" and "\r" become CR/LF when
  // `controls` is set. Other backslashes are kept.
  std::string_view decode(std::string_view in, std::string_view escapable, bool controls) {
    if (!owned_) owned_ = std::make_unique<char[]>(capacity_ == 0 ? 1 : capacity_);
    char* out = owned_.get() + used_;
    size_t n = 0;
    for (size_t k = 0; k < in.size(); ++k) {
      char c = in[k];
      if (c == '\\' && k + 1 < in.size()) {
        const char e = in[k + 1];
        if (escapable.find(e) != std::string_view::npos) {
          c = e;
          ++k;
        } else if (controls && (e == 'n' || e == 'r')) {
          c = e == 'n' ? '\n' : '\r';
          ++k;
        }
      }
      out[n++] = c;
    }
    used_ += n;
    return {out, n};
  }

 private:
  std::unique_ptr<char[]>& owned_;
  size_t capacity_;
  size_t used_ = 0;
};

bool cefKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

std::string_view trimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\n' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits off the next '|'-terminated header field at s[i..]; `escapes` allows "\|".
bool headerField(std::string_view s, size_t& i, std::string_view& out, bool& escaped, bool escapes) {
  const size_t start = i;
  escaped = false;
  while (i < s.size() && s[i] != '|') {
    if (escapes && s[i] == '\\' && i + 1 < s.size()) {
      escaped = true;
      ++i;
    }
    ++i;
  }
  if (i >= s.size()) return false;
  out = s.substr(start, i - start);
  ++i;
  return true;
}

void addCefExtension(std::string_view ext, FieldList& list, Decoder& dec) {
  size_t prevKey = std::string_view::npos, prevEq = 0;
  auto emit = [&](size_t valueEnd) {
    std::string_view value = trimRight(ext.substr(prevEq + 1, valueEnd - prevEq - 1));
    if (value.find('\\') != std::string_view::npos) value = dec.decode(value, "=\\", true);
    list.fields.push_back({ext.substr(prevKey, prevEq - prevKey), value});
  };
  for (size_t i = 0; i < ext.size(); ++i) {
    if (ext[i] == '\\') {
      ++i;
      continue;
    }
    if (ext[i] != '=') continue;
    size_t ks = i;
    while (ks > 0 && cefKeyChar(ext[ks - 1])) --ks;
    const bool keyOk = ks < i && (ks == 0 || ext[ks - 1] == ' ') && (prevKey == std::string_view::npos || ks > prevEq);
    if (!keyOk) continue;  // an '=' inside a value
    if (prevKey != std::string_view::npos) emit(ks > 0 ? ks - 1 : 0);
    prevKey = ks;
    prevEq = i;
  }
  if (prevKey != std::string_view::npos) emit(ext.size());
}

}  // namespace

const std::string_view* FieldList::find(std::string_view key) const {
  for (const Field& f : fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

Result<CefEvent> parseCef(std::string_view text) {
  const size_t at = text.find("CEF:");
  if (at == std::string_view::npos) return Error::badRequest("CEF: no \"CEF:\" marker");
  const std::string_view s = text.substr(at + 4);
  CefEvent ev;
  ev.extension.fields.reserve(kTypicalFields);
  Decoder dec(ev.extension.owned, s.size());
  std::string_view* targets[] = {nullptr,         &ev.deviceVendor, &ev.deviceProduct, &ev.deviceVersion,
                                 &ev.signatureId, &ev.name,         &ev.severity};
  size_t i = 0;
  for (size_t f = 0; f < 7; ++f) {
    std::string_view field;
    bool escaped = false;
    if (!headerField(s, i, field, escaped, true))
      return Error::badRequest("CEF: header has " + std::to_string(f) + " of 7 '|'-terminated fields");
    if (f == 0) {
      if (field.empty() || field.size() > 3) return Error::badRequest("CEF: bad version");
      for (char c : field) {
        if (c < '0' || c > '9') return Error::badRequest("CEF: bad version");
        ev.version = ev.version * 10 + (c - '0');
      }
      continue;
    }
    *targets[f] = escaped ? dec.decode(field, "|\\", false) : field;
  }
  addCefExtension(s.substr(i), ev.extension, dec);
  return ev;
}

Result<LeefEvent> parseLeef(std::string_view text) {
  const size_t at = text.find("LEEF:");
  if (at == std::string_view::npos) return Error::badRequest("LEEF: no \"LEEF:\" marker");
  const std::string_view s = text.substr(at + 5);
  LeefEvent ev;
  size_t i = 0;
  bool escaped = false;
  if (!headerField(s, i, ev.version, escaped, false)) return Error::badRequest("LEEF: no version");
  const bool v2 = ev.version.starts_with('2');
  if (!v2 && !ev.version.starts_with('1')) return Error::badRequest("LEEF: unsupported version");
  std::string_view* targets[] = {&ev.vendor, &ev.product, &ev.productVersion};
  for (std::string_view* t : targets)
    if (!headerField(s, i, *t, escaped, false)) return Error::badRequest("LEEF: header has too few fields");
  const size_t idStart = i;
  if (!headerField(s, i, ev.eventId, escaped, false)) {
    ev.eventId = trimRight(s.substr(idStart));  // LEEF 1.0 senders that omit the '|' before empty attributes
    return ev;
  }
  if (v2) {
    std::string_view d;
    const size_t save = i;
    if (!headerField(s, i, d, escaped, false)) {
      i = save;  // no delimiter field: attributes follow with the default tab
    } else if (d.size() == 1) {
      ev.delimiter = d[0];
    } else if (!d.empty()) {
      std::string_view hex = d;
      if (hex.starts_with("0x") || hex.starts_with("0X"))
        hex.remove_prefix(2);
      else if (hex.starts_with('x') || hex.starts_with('X'))
        hex.remove_prefix(1);
      int v = 0;
      if (hex.empty() || hex.size() > 2) return Error::badRequest("LEEF: bad delimiter");
      for (char c : hex) {
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) return Error::badRequest("LEEF: bad delimiter");
        v = v * 16 + digit;
      }
      if (v == 0) return Error::badRequest("LEEF: bad delimiter");
      ev.delimiter = static_cast<char>(v);
    }
  }
  const std::string_view attrs = s.substr(i);
  ev.attributes.fields.reserve(kTypicalFields);
  size_t p = 0;
  while (p <= attrs.size()) {
    size_t e = attrs.find(ev.delimiter, p);
    if (e == std::string_view::npos) e = attrs.size();
    const std::string_view tok = attrs.substr(p, e - p);
    const size_t eq = tok.find('=');
    if (eq != std::string_view::npos && eq > 0)
      ev.attributes.fields.push_back(
          {tok.substr(0, eq), e == attrs.size() ? trimRight(tok.substr(eq + 1)) : tok.substr(eq + 1)});
    p = e + 1;
  }
  return ev;
}

namespace {

// Space, tab, and GS (0x1D): Linux audit's enriched format separates the interpreted fields
// ("UID=\"alice\"") from the raw ones with it.
bool isKvSeparator(char c) { return c == ' ' || c == '\t' || c == '\x1d'; }

}  // namespace

Result<FieldList> parseKeyValue(std::string_view s) {
  FieldList list;
  list.fields.reserve(kTypicalFields);
  Decoder dec(list.owned, s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    while (i < n && isKvSeparator(s[i])) ++i;
    const size_t ks = i;
    while (i < n && s[i] != '=' && !isKvSeparator(s[i])) ++i;
    if (i >= n || s[i] != '=' || i == ks) {  // a token without '=': skip it
      while (i < n && !isKvSeparator(s[i])) ++i;
      continue;
    }
    const std::string_view key = s.substr(ks, i - ks);
    ++i;
    std::string_view value;
    if (i < n && s[i] == '"') {
      const size_t vs = ++i;
      bool escaped = false;
      while (i < n && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < n) {
          escaped = true;
          ++i;
        }
        ++i;
      }
      value = s.substr(vs, (i < n ? i : n) - vs);
      if (escaped) value = dec.decode(value, "\"\\", false);
      if (i < n) ++i;
    } else {
      const size_t vs = i;
      while (i < n && !isKvSeparator(s[i])) ++i;
      value = trimRight(s.substr(vs, i - vs));
    }
    list.fields.push_back({key, value});
  }
  if (list.fields.empty()) return Error::badRequest("key=value: no key=value pair found");
  return list;
}

}  // namespace vigil::ingest
