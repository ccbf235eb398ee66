#include "webmon/gumbo_dom.h"

#include <string_view>

#include "core/text.h"

namespace vigil::webmon {

const char* gumboAttr(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

std::string gumboTagName(const GumboElement& e) {
  if (e.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(e.tag);
  GumboStringPiece piece = e.original_tag;
  gumbo_tag_from_original_text(&piece);
  return text::asciiLower(std::string_view(piece.data, piece.length));
}

}  // namespace vigil::webmon
