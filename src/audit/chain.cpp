#include "audit/chain.h"

#include "core/crypto.h"

namespace vigil::audit {
namespace {
// Length-prefixed fields: no separator inside a field can shift another field's bytes.
void put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}
}  // namespace

std::string entryHash(const AuditEntry& e, const std::string& prevHash) {
  std::string buf;
  buf.reserve(256 + e.summary.size());
  put(buf, prevHash);
  put(buf, std::to_string(e.id));
  put(buf, std::to_string(e.time));
  put(buf, e.actorId ? std::to_string(*e.actorId) : "");
  put(buf, e.actor);
  put(buf, e.sourceIp);
  put(buf, e.action);
  put(buf, e.objectType);
  put(buf, e.objectId);
  put(buf, e.orgId ? std::to_string(*e.orgId) : "");
  put(buf, e.summary);
  put(buf, e.result);
  return crypto::sha256Hex(buf);
}

std::string checkLink(const AuditEntry& e, const std::string& expectedPrevHash) {
  if (e.prevHash != expectedPrevHash) return "previous-hash link does not match the entry before it";
  if (entryHash(e, e.prevHash) != e.hash) return "entry content does not match its hash";
  return {};
}

}  // namespace vigil::audit
