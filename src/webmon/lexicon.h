// The gambling/adult lexicon (catalogs/webmon/lexicon.toml) and the text normalisation it matches
// with. Vietnamese spam appears with and without diacritics, in NFC or NFD, with zero-width
// characters and odd spacing: normalizeText() gives NFC, lower case, zero-width characters
// removed and white space collapsed; foldText() additionally strips the diacritics ("cá cược" ->
// "ca cuoc", "đề" -> "de"). A term matches the normalised text, and (unless the term says
// fold = false, for short terms whose ASCII form is an ordinary word) the folded text, at word
// boundaries. A Lexicon is immutable after load and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigil::webmon {

std::string normalizeText(std::string_view utf8);
std::string foldText(std::string_view utf8);

struct LexiconHit {
  std::string term;      // as written in the lexicon
  std::string category;  // "gambling", "adult"
};

class Lexicon {
 public:
  // Reads the TOML file; errors name the file and the entry.
  static Result<Lexicon> load(const std::string& path);
  // `origin` names the source in error messages.
  static Result<Lexicon> parse(std::string_view toml, const std::string& origin);

  // Distinct terms found in a piece of text (any UTF-8; invalid bytes are replaced).
  std::vector<LexiconHit> find(std::string_view text) const;
  // Terms marked url = true found in a URL or host name (substring match on the folded term with
  // spaces removed, e.g. "nhacai" in "nhacai88.bet").
  std::vector<LexiconHit> findInUrl(std::string_view url) const;
  size_t size() const { return terms_.size(); }

 private:
  struct Term {
    std::string text, category;
    std::string normal, folded, urlForm;
    bool fold = true, url = false;
  };
  std::vector<Term> terms_;
};

}  // namespace vigil::webmon
