#include "evidence/sharing.h"

#include <arpa/inet.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

namespace vigil::evidence {

namespace json = boost::json;

namespace {

// STIX 2.1 section 2.9: the namespace of deterministic SCO identifiers.
constexpr std::string_view kStixScoNamespace = "00abedb4-aa42-466c-9c01-fed23315a9b7";
// vigil's own namespace for the ids of the objects it creates (SDOs, bundles, MISP uuids).
constexpr std::string_view kVigilNamespace = "3f6d2a54-8c1e-4b7a-9e0d-5a2c7b18e4f9";

struct TlpMarking {
  Tlp tlp;
  const char* name;  // TLP:GREEN
  const char* word;  // green
  const char* id;    // STIX 2.1 section 7.2.1.4
  const char* mispDistribution;
};
// The four TLP marking definitions predefined by STIX 2.1 (7.2.1.4), created 2017-01-20. MISP
// distribution by TLP: red -> your organisation only (0), amber -> this community only (1),
// green -> connected communities (2), white -> all communities (3).
constexpr TlpMarking kTlp[] = {
    {Tlp::kWhite, "TLP:WHITE", "white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "3"},
    {Tlp::kGreen, "TLP:GREEN", "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "2"},
    {Tlp::kAmber, "TLP:AMBER", "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "1"},
    {Tlp::kRed, "TLP:RED", "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "0"},
};
const TlpMarking& marking(Tlp t) { return kTlp[static_cast<int>(t)]; }

bool isHex(std::string_view s) { return s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool validHostName(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-') return false;
  size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || static_cast<unsigned char>(c) >= 0x80;  // IDN in UTF-8
    if (!ok || ++label > 63) return false;
  }
  return h.find('.') != std::string_view::npos;
}

// STIX timestamps: UTC, millisecond precision ("2026-02-17T01:02:03.000Z").
std::string stixTime(TimeMs t) {
  std::string s = formatRfc3339(t);
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", static_cast<int>(((t % 1000) + 1000) % 1000));
  s.insert(s.size() - 1, ms);
  return s;
}

// A string literal of the STIX patterning language: quotes and backslashes escaped.
std::string patternLiteral(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

const char* scoType(ObservableKind k) {
  switch (k) {
    case ObservableKind::kIpv4: return "ipv4-addr";
    case ObservableKind::kIpv6: return "ipv6-addr";
    case ObservableKind::kDomain: return "domain-name";
    case ObservableKind::kUrl: return "url";
    case ObservableKind::kEmail: return "email-addr";
    case ObservableKind::kMd5:
    case ObservableKind::kSha1:
    case ObservableKind::kSha256:
    case ObservableKind::kFilename: return "file";
  }
  return "";
}

// STIX hash algorithm names (open vocabulary hash-algorithm-ov).
const char* hashName(ObservableKind k) {
  switch (k) {
    case ObservableKind::kMd5: return "MD5";
    case ObservableKind::kSha1: return "SHA-1";
    case ObservableKind::kSha256: return "SHA-256";
    default: return nullptr;
  }
}

// The SCO itself (without its id): the id-contributing properties of STIX 2.1 section 6
// (value for addresses, names and URLs; hashes, else name, for files).
json::object scoContributing(const Observable& o) {
  if (const char* h = hashName(o.kind)) return {{"hashes", json::object{{h, o.value}}}};
  if (o.kind == ObservableKind::kFilename) return {{"name", o.value}};
  return {{"value", o.value}};
}

// The value as shared: hashes, domains and e-mail addresses in lower case; the rest as given.
Observable normalised(const Observable& in) {
  Observable o = in;
  switch (o.kind) {
    case ObservableKind::kMd5:
    case ObservableKind::kSha1:
    case ObservableKind::kSha256:
    case ObservableKind::kDomain:
    case ObservableKind::kEmail: o.value = lower(o.value); break;
    default: break;
  }
  if (o.lastSeen < o.firstSeen) o.lastSeen = o.firstSeen;
  return o;
}

Result<std::vector<Observable>> checkedList(const std::vector<Observable>& in) {
  if (in.empty()) return Error::validation("observables", "there is nothing to share");
  std::vector<Observable> out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (auto st = validateObservable(in[i]); !st.ok())
      return Error::validation("observables[" + std::to_string(i) + "]", st.error().message);
    out.push_back(normalised(in[i]));
  }
  return out;
}

struct MispType {
  const char* type;
  const char* category;
  bool toIds;
};
MispType mispType(const Observable& o) {
  switch (o.kind) {
    case ObservableKind::kIpv4:
    case ObservableKind::kIpv6: return {o.destination ? "ip-dst" : "ip-src", "Network activity", true};
    case ObservableKind::kDomain: return {"domain", "Network activity", true};
    case ObservableKind::kUrl: return {"url", "Network activity", true};
    case ObservableKind::kMd5: return {"md5", "Payload delivery", true};
    case ObservableKind::kSha1: return {"sha1", "Payload delivery", true};
    case ObservableKind::kSha256: return {"sha256", "Payload delivery", true};
    case ObservableKind::kEmail: return {"email-src", "Payload delivery", true};
    case ObservableKind::kFilename: return {"filename", "Payload delivery", false};
  }
  return {"other", "Other", false};
}

}  // namespace

std::string_view observableKindName(ObservableKind k) {
  switch (k) {
    case ObservableKind::kIpv4: return "ipv4";
    case ObservableKind::kIpv6: return "ipv6";
    case ObservableKind::kDomain: return "domain";
    case ObservableKind::kUrl: return "url";
    case ObservableKind::kMd5: return "md5";
    case ObservableKind::kSha1: return "sha1";
    case ObservableKind::kSha256: return "sha256";
    case ObservableKind::kEmail: return "email";
    case ObservableKind::kFilename: return "filename";
  }
  return "?";
}

Result<ObservableKind> parseObservableKind(std::string_view kind, std::string_view value) {
  if (kind == "ip" || kind == "ipv4" || kind == "ipv6")
    return value.find(':') != std::string_view::npos ? ObservableKind::kIpv6 : ObservableKind::kIpv4;
  for (auto k : {ObservableKind::kDomain, ObservableKind::kUrl, ObservableKind::kMd5, ObservableKind::kSha1,
                 ObservableKind::kSha256, ObservableKind::kEmail, ObservableKind::kFilename})
    if (observableKindName(k) == kind) return k;
  return Error::validation(
      "kind", "'" + std::string(kind) + "' is not one of ip, domain, url, md5, sha1, sha256, email, filename");
}

std::optional<Tlp> parseTlp(std::string_view s) {
  std::string w = lower(std::string(s));
  if (w.rfind("tlp:", 0) == 0) w.erase(0, 4);
  if (w == "white" || w == "clear") return Tlp::kWhite;
  if (w == "green") return Tlp::kGreen;
  if (w == "amber") return Tlp::kAmber;
  if (w == "red") return Tlp::kRed;
  return std::nullopt;
}

Status validateObservable(const Observable& o) {
  const std::string& v = o.value;
  const std::string shown = "'" + v.substr(0, 80) + (v.size() > 80 ? "...'" : "'");
  if (v.empty()) return Error::validation("value", "is empty");
  if (v.size() > 2048) return Error::validation("value", "is longer than 2048 bytes");
  if (v.find('\0') != std::string::npos || v.find('\n') != std::string::npos)
    return Error::validation("value", "contains a NUL or a line break");
  auto bad = [&](const std::string& what) {
    return Error::validation("value", shown + " is not " + what + " (" + std::string(observableKindName(o.kind)) + ")");
  };
  unsigned char buf[16];
  switch (o.kind) {
    case ObservableKind::kIpv4:
      if (inet_pton(AF_INET, v.c_str(), buf) != 1) return bad("an IPv4 address");
      break;
    case ObservableKind::kIpv6:
      if (inet_pton(AF_INET6, v.c_str(), buf) != 1) return bad("an IPv6 address");
      break;
    case ObservableKind::kDomain:
      if (!validHostName(v)) return bad("a domain name");
      break;
    case ObservableKind::kUrl: {
      const size_t scheme = v.find("://");
      const std::string s = scheme == std::string::npos ? "" : lower(v.substr(0, scheme));
      if ((s != "http" && s != "https" && s != "ftp") || v.size() == scheme + 3 ||
          v.find_first_of(" \t\r") != std::string::npos)
        return bad("an http, https or ftp URL without spaces");
      break;
    }
    case ObservableKind::kMd5:
      if (v.size() != 32 || !isHex(v)) return bad("an MD5 hash (32 hex digits)");
      break;
    case ObservableKind::kSha1:
      if (v.size() != 40 || !isHex(v)) return bad("a SHA-1 hash (40 hex digits)");
      break;
    case ObservableKind::kSha256:
      if (v.size() != 64 || !isHex(v)) return bad("a SHA-256 hash (64 hex digits)");
      break;
    case ObservableKind::kEmail: {
      const size_t at = v.find('@');
      if (at == 0 || at == std::string::npos || v.find('@', at + 1) != std::string::npos ||
          v.find_first_of(" \t\r<>") != std::string::npos || !validHostName(v.substr(at + 1)))
        return bad("an e-mail address");
      break;
    }
    case ObservableKind::kFilename:
      if (v.find('/') != std::string::npos || v == "." || v == "..") return bad("a file name");
      break;
  }
  return {};
}

std::string uuidV5(std::string_view ns, std::string_view name) {
  std::string nsBytes;
  for (size_t i = 0; i < ns.size(); ++i) {
    if (ns[i] == '-') continue;
    nsBytes += static_cast<char>(std::stoi(std::string(ns.substr(i, 2)), nullptr, 16));
    ++i;
  }
  std::string data = nsBytes + std::string(name);
  unsigned char h[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), h);
  h[6] = static_cast<unsigned char>((h[6] & 0x0F) | 0x50);
  h[8] = static_cast<unsigned char>((h[8] & 0x3F) | 0x80);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[h[i] >> 4];
    out += hex[h[i] & 15];
  }
  return out;
}

std::string stixPattern(const Observable& o) {
  const std::string lit = patternLiteral(o.value);
  switch (o.kind) {
    case ObservableKind::kMd5: return "[file:hashes.MD5 = " + lit + "]";
    case ObservableKind::kSha1: return "[file:hashes.'SHA-1' = " + lit + "]";
    case ObservableKind::kSha256: return "[file:hashes.'SHA-256' = " + lit + "]";
    case ObservableKind::kFilename: return "[file:name = " + lit + "]";
    default: return "[" + std::string(scoType(o.kind)) + ":value = " + lit + "]";
  }
}

Result<std::string> stixBundle(const SharingContext& ctx, const std::vector<Observable>& in) {
  VIGIL_ASSIGN_OR_RETURN(auto observables, checkedList(in));
  const std::string created = stixTime(ctx.created);
  const std::string identityId = "identity--" + uuidV5(kVigilNamespace, "identity|" + ctx.producer);
  json::array markingRefs;
  if (ctx.tlp) markingRefs.emplace_back(marking(*ctx.tlp).id);

  json::array objects;
  objects.push_back(json::object{{"type", "identity"},
                                 {"spec_version", "2.1"},
                                 {"id", identityId},
                                 {"created", created},
                                 {"modified", created},
                                 {"name", ctx.producer},
                                 {"identity_class", "organization"}});
  if (ctx.tlp) {
    const TlpMarking& m = marking(*ctx.tlp);
    objects.push_back(json::object{{"type", "marking-definition"},
                                   {"spec_version", "2.1"},
                                   {"id", m.id},
                                   {"created", "2017-01-20T00:00:00.000Z"},
                                   {"definition_type", "tlp"},
                                   {"name", m.name},
                                   {"definition", json::object{{"tlp", m.word}}}});
  }
  std::string allPatterns;
  for (const auto& o : observables) {
    json::object sco = scoContributing(o);
    const std::string scoId = std::string(scoType(o.kind)) + "--" + uuidV5(kStixScoNamespace, json::serialize(sco));
    const std::string pattern = stixPattern(o);
    allPatterns += pattern + "\n";
    json::object full{{"type", scoType(o.kind)}, {"spec_version", "2.1"}, {"id", scoId}};
    for (auto& kv : sco) full.emplace(kv.key(), kv.value());
    if (ctx.tlp) full.emplace("object_marking_refs", markingRefs);
    objects.push_back(std::move(full));

    json::object observed{{"type", "observed-data"},
                          {"spec_version", "2.1"},
                          {"id", "observed-data--" + uuidV5(kVigilNamespace, ctx.incidentRef + "|observed|" + scoId)},
                          {"created_by_ref", identityId},
                          {"created", created},
                          {"modified", created},
                          {"first_observed", stixTime(o.firstSeen)},
                          {"last_observed", stixTime(o.lastSeen)},
                          {"number_observed", 1},
                          {"object_refs", json::array{json::value(scoId)}}};
    if (ctx.tlp) observed.emplace("object_marking_refs", markingRefs);
    objects.push_back(std::move(observed));

    json::object indicator{{"type", "indicator"},
                           {"spec_version", "2.1"},
                           {"id", "indicator--" + uuidV5(kVigilNamespace, ctx.incidentRef + "|indicator|" + pattern)},
                           {"created_by_ref", identityId},
                           {"created", created},
                           {"modified", created},
                           {"name", std::string(observableKindName(o.kind)) + " " + o.value},
                           {"indicator_types", json::array{"malicious-activity"}},
                           {"pattern", pattern},
                           {"pattern_type", "stix"},
                           {"pattern_version", "2.1"},
                           {"valid_from", stixTime(o.firstSeen)}};
    if (!o.comment.empty()) indicator.emplace("description", o.comment);
    if (ctx.tlp) indicator.emplace("object_marking_refs", markingRefs);
    objects.push_back(std::move(indicator));
  }
  json::object bundle{{"type", "bundle"},
                      {"id", "bundle--" + uuidV5(kVigilNamespace, ctx.incidentRef + "|bundle|" + allPatterns)},
                      {"objects", std::move(objects)}};
  return json::serialize(bundle);
}

Result<std::string> mispEvent(const SharingContext& ctx, const std::vector<Observable>& in) {
  VIGIL_ASSIGN_OR_RETURN(auto observables, checkedList(in));
  const std::string timestamp = std::to_string(ctx.created / 1000);
  json::array attributes;
  for (const auto& o : observables) {
    const MispType t = mispType(o);
    json::object a{{"uuid", uuidV5(kVigilNamespace, ctx.incidentRef + "|misp-attribute|" + t.type + "|" + o.value)},
                   {"type", t.type},
                   {"category", t.category},
                   {"value", o.value},
                   {"to_ids", t.toIds},
                   {"distribution", "5"},  // inherit the event's
                   {"comment", o.comment},
                   {"timestamp", std::to_string(o.firstSeen / 1000)}};
    attributes.push_back(std::move(a));
  }
  json::array tags;
  if (ctx.tlp) tags.push_back(json::object{{"name", "tlp:" + std::string(marking(*ctx.tlp).word)}});
  json::object event{{"uuid", uuidV5(kVigilNamespace, ctx.incidentRef + "|misp-event")},
                     {"info", ctx.title},
                     {"date", formatRfc3339(ctx.created).substr(0, 10)},
                     {"timestamp", timestamp},
                     {"published", false},
                     {"analysis", "1"},         // ongoing
                     {"threat_level_id", "2"},  // medium; the receiving analyst re-rates
                     {"distribution", ctx.tlp ? marking(*ctx.tlp).mispDistribution : "0"},
                     {"Orgc", json::object{{"name", ctx.producer}}},
                     {"Attribute", std::move(attributes)},
                     {"Tag", std::move(tags)}};
  return json::serialize(json::object{{"Event", std::move(event)}});
}

}  // namespace vigil::evidence
