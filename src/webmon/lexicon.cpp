#include "webmon/lexicon.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "webmon/toml_file.h"

namespace vigil::webmon {

namespace {

bool isZeroWidth(UChar32 c) {
  return c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0x00AD || c == 0x180E;
}

// NFC + lower case + zero-width removed + white space collapsed; with `fold`, also NFD with the
// combining marks dropped and đ -> d.
std::string normalise(std::string_view utf8, bool fold) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  s.toLower(icu::Locale::getRoot());
  const icu::Normalizer2* norm =
      fold ? icu::Normalizer2::getNFDInstance(status) : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::UnicodeString n = norm->normalize(s, status);
  if (U_FAILURE(status)) return std::string(utf8);
  icu::UnicodeString out;
  bool space = true;  // drops leading white space
  for (int32_t i = 0; i < n.length();) {
    const UChar32 c = n.char32At(i);
    i += U16_LENGTH(c);
    if (isZeroWidth(c)) continue;
    if (u_isUWhiteSpace(c) || c == 0xA0) {
      if (!space) out.append(UChar32(' '));
      space = true;
      continue;
    }
    space = false;
    if (fold) {
      if (u_charType(c) == U_NON_SPACING_MARK) continue;
      if (c == 0x0111) {  // đ
        out.append(UChar32('d'));
        continue;
      }
    }
    out.append(c);
  }
  if (out.length() > 0 && out.charAt(out.length() - 1) == ' ') out.truncate(out.length() - 1);
  std::string result;
  out.toUTF8String(result);
  return result;
}

bool isWordByte(unsigned char c) { return c >= 0x80 || std::isalnum(c); }

// Occurrence of `needle` in `hay` with no letter or digit right before or after it.
bool containsWord(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return false;
  for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) {
    const bool startOk = pos == 0 || !isWordByte(static_cast<unsigned char>(hay[pos - 1]));
    const size_t end = pos + needle.size();
    const bool endOk = end >= hay.size() || !isWordByte(static_cast<unsigned char>(hay[end]));
    if (startOk && endOk) return true;
  }
  return false;
}

}  // namespace

std::string normalizeText(std::string_view utf8) { return normalise(utf8, false); }
std::string foldText(std::string_view utf8) { return normalise(utf8, true); }

Result<Lexicon> Lexicon::load(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, readCatalogFile(path, "the lexicon file"));
  return parse(text, path);
}

Result<Lexicon> Lexicon::parse(std::string_view tomlText, const std::string& origin) {
  VIGIL_ASSIGN_OR_RETURN(toml::table doc, parseCatalogToml(tomlText, origin));
  const auto* terms = doc["term"].as_array();
  if (!terms || terms->empty()) return Error::validation(origin, "no [[term]] entries");
  Lexicon lex;
  for (size_t i = 0; i < terms->size(); ++i) {
    const std::string where = origin + ": term " + std::to_string(i + 1);
    const auto* t = (*terms)[i].as_table();
    if (!t) return Error::validation(where, "is not a table");
    Term term;
    term.text = (*t)["text"].value_or(std::string());
    term.category = (*t)["category"].value_or(std::string());
    term.fold = (*t)["fold"].value_or(true);
    term.url = (*t)["url"].value_or(false);
    for (const auto& [key, value] : *t)
      if (key != "text" && key != "category" && key != "fold" && key != "url")
        return Error::validation(where, "unknown key '" + std::string(key.str()) + "'");
    if (term.text.empty()) return Error::validation(where, "'text' is missing or empty");
    if (term.category.empty()) return Error::validation(where + " (" + term.text + ")", "'category' is missing");
    term.normal = normalizeText(term.text);
    term.folded = foldText(term.text);
    term.urlForm = term.folded;
    term.urlForm.erase(std::remove(term.urlForm.begin(), term.urlForm.end(), ' '), term.urlForm.end());
    lex.terms_.push_back(std::move(term));
  }
  return lex;
}

std::vector<LexiconHit> Lexicon::find(std::string_view text) const {
  std::vector<LexiconHit> hits;
  if (text.empty()) return hits;
  const std::string normal = normalizeText(text);
  const std::string folded = foldText(text);
  for (const auto& t : terms_)
    if (containsWord(normal, t.normal) || (t.fold && containsWord(folded, t.folded)))
      hits.push_back({t.text, t.category});
  return hits;
}

std::vector<LexiconHit> Lexicon::findInUrl(std::string_view url) const {
  std::vector<LexiconHit> hits;
  const std::string folded = foldText(url);
  for (const auto& t : terms_)
    if (t.url && !t.urlForm.empty() && folded.find(t.urlForm) != std::string::npos)
      hits.push_back({t.text, t.category});
  return hits;
}

}  // namespace vigil::webmon
