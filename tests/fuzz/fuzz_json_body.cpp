// Fuzz target: an API request body through BodyReader, as the user-creation route reads it.
// Whatever the bytes, reading must end in a value or an Error, never a crash.
#include <cstdint>
#include <string>

#include "api/json_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::http::Request req;
  req.headers.emplace_back("content-type", "application/json");
  req.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = vigil::api::BodyReader::parse(req);
  if (!body.ok()) return 0;
  (void)body->requiredString("username", 64);
  (void)body->optionalString("email", 254);
  (void)body->requiredInt("org_id", 1, INT64_MAX);
  (void)body->optionalBool("disabled");
  (void)body->requiredSecret("password");
  auto roles = body->requiredArray("roles", 50);
  if (roles.ok()) (void)vigil::api::readRoleList(**roles);
  (void)body->finish();
  return 0;
}
