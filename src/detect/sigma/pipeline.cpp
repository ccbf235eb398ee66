// Pipeline (pipeline.h): the field mapping and logsource catalog, read with toml++.
#include "detect/sigma/pipeline.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace vigil::detect::sigma {
namespace {

std::string lower(std::string_view s) {
  std::string out;
  lowerInto(s, out);
  return out;
}

// "ThreatName" -> "Threat Name", "Feature_Name" -> "Feature Name"; "" when nothing splits.
std::string splitWords(const std::string& name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '_') {
      out += ' ';
      continue;
    }
    if (i > 0 && std::isupper(static_cast<unsigned char>(c)) && std::islower(static_cast<unsigned char>(name[i - 1])))
      out += ' ';
    out += c;
  }
  return out == name ? std::string() : out;
}

std::string where(const std::string& origin, const toml::node& node) {
  return origin + ":" + std::to_string(node.source().begin.line);
}

// A string or an array of strings.
Result<std::vector<std::string>> strings(const toml::node& node, const std::string& origin, std::string_view what) {
  std::vector<std::string> out;
  if (const auto* s = node.as_string()) {
    out.push_back(s->get());
    return out;
  }
  if (const auto* i = node.as_integer()) {
    out.push_back(std::to_string(i->get()));
    return out;
  }
  const auto* arr = node.as_array();
  if (!arr) return Error::validation(where(origin, node), std::string(what) + " must be a string or a list of strings");
  for (const toml::node& e : *arr) {
    if (const auto* s = e.as_string()) {
      out.push_back(s->get());
    } else if (const auto* i = e.as_integer()) {
      out.push_back(std::to_string(i->get()));
    } else {
      return Error::validation(where(origin, e), std::string(what) + " must hold strings");
    }
  }
  return out;
}

std::string optString(const toml::table& t, const char* key) {
  if (const auto* s = t.get_as<std::string>(key)) return lower(s->get());
  return {};
}

// `text` equals `lower` (already lower case) ignoring ASCII case.
bool equalsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c) != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool LogsourceSelection::matches(const normalize::Event& event) const {
  if (any.empty()) return true;
  for (const LogsourceAlternative& alt : any) {
    bool ok = true;
    for (const LogsourceTerm& term : alt) {
      const auto v = event.get(term.field);
      if (!v) {
        ok = false;
        break;
      }
      const std::string_view text = v->text;
      if (std::none_of(term.values.begin(), term.values.end(),
                       [&](const std::string& want) { return equalsLower(text, want); })) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

bool LogsourceSelection::matches(const EventView& event) const {
  if (any.empty()) return true;
  for (const LogsourceAlternative& alt : any) {
    bool ok = true;
    for (const LogsourceTerm& term : alt) {
      const int i = event.findName(term.field);
      if (i < 0) {
        ok = false;
        break;
      }
      const std::string_view text = event.text(i);
      if (std::none_of(term.values.begin(), term.values.end(),
                       [&](const std::string& want) { return equalsLower(text, want); })) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

Result<Pipeline> Pipeline::load(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
  if (ec) return Error::validation(dir.string(), "cannot read the pipeline directory: " + ec.message());
  if (files.empty()) return Error::validation(dir.string(), "no pipeline (*.toml) in the directory");
  std::sort(files.begin(), files.end());
  Pipeline p;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    VIGIL_TRY(p.add(ss.str(), f.string()));
  }
  return p;
}

Status Pipeline::add(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error::validation(origin + ":" + std::to_string(e.source().begin.line), std::string(e.description()));
  }
  if (const toml::array* products = root["product"].as_array()) {
    for (const toml::node& node : *products) {
      const toml::table* t = node.as_table();
      if (!t) return Error::validation(where(origin, node), "[[product]] must be a table");
      Product p;
      p.name = optString(*t, "name");
      if (p.name.empty()) return Error::validation(where(origin, node), "[[product]] needs a name");
      if (knowsProduct(p.name)) return Error::validation(where(origin, node), "product '" + p.name + "' defined twice");
      if (const toml::node* n = t->get("present")) {
        VIGIL_ASSIGN_OR_RETURN(p.present, strings(*n, origin, "present"));
      }
      if (p.present.empty()) return Error::validation(where(origin, node), "[[product]] needs 'present' fields");
      if (const toml::node* n = t->get("prefixes")) {
        VIGIL_ASSIGN_OR_RETURN(p.prefixes, strings(*n, origin, "prefixes"));
      }
      if (const auto* b = t->get_as<bool>("split_words")) p.splitWords = b->get();
      products_.push_back(std::move(p));
    }
  }
  if (const toml::table* fields = root["fields"].as_table()) {
    for (const auto& [key, node] : *fields) {
      const std::string name(key.str());
      if (fields_.count(name)) return Error::validation(where(origin, node), "field '" + name + "' mapped twice");
      VIGIL_ASSIGN_OR_RETURN(auto targets, strings(node, origin, "a field mapping"));
      if (targets.empty()) return Error::validation(where(origin, node), "field '" + name + "' maps to nothing");
      fields_[name] = std::move(targets);
    }
  }
  if (const toml::array* entries = root["logsource"].as_array()) {
    for (const toml::node& node : *entries) {
      const toml::table* t = node.as_table();
      if (!t) return Error::validation(where(origin, node), "[[logsource]] must be a table");
      Entry e;
      e.product = optString(*t, "product");
      e.category = optString(*t, "category");
      e.service = optString(*t, "service");
      if (e.category.empty() == e.service.empty())
        return Error::validation(where(origin, node), "[[logsource]] names exactly one of category and service");
      const toml::array* any = t->get_as<toml::array>("any");
      if (!any || any->empty()) return Error::validation(where(origin, node), "[[logsource]] needs a non-empty 'any'");
      for (const toml::node& altNode : *any) {
        const toml::table* alt = altNode.as_table();
        if (!alt || alt->empty()) return Error::validation(where(origin, altNode), "'any' holds non-empty tables");
        LogsourceAlternative a;
        for (const auto& [field, valueNode] : *alt) {
          VIGIL_ASSIGN_OR_RETURN(auto values, strings(valueNode, origin, "a logsource value"));
          for (auto& v : values) v = lower(v);
          a.push_back({std::string(field.str()), std::move(values)});
        }
        e.selection.any.push_back(std::move(a));
      }
      entries_.push_back(std::move(e));
    }
  }
  return {};
}

bool Pipeline::knowsProduct(const std::string& product) const {
  return std::any_of(products_.begin(), products_.end(), [&](const Product& p) { return p.name == product; });
}

FieldCandidates Pipeline::resolve(const std::string& product, const std::string& sigmaField) const {
  FieldCandidates out;
  const auto it = fields_.find(sigmaField);
  if (it != fields_.end()) {
    out = it->second;
  } else {
    for (const Product& p : products_) {
      if (p.name != product) continue;
      for (const std::string& prefix : p.prefixes) out.push_back(prefix + sigmaField);
      const std::string split = p.splitWords ? splitWords(sigmaField) : std::string();
      if (!split.empty())
        for (const std::string& prefix : p.prefixes) out.push_back(prefix + split);
    }
  }
  if (std::find(out.begin(), out.end(), sigmaField) == out.end()) out.push_back(sigmaField);
  return out;
}

std::string Pipeline::productOf(const normalize::Event& event) const {
  for (const Product& p : products_)
    for (const std::string& f : p.present)
      if (event.has(f)) return p.name;
  return {};
}

LogsourceSelection Pipeline::selection(const Logsource& ls) const {
  LogsourceSelection out;
  auto conjoin = [&out](const LogsourceSelection& s) {
    if (!out.known) {
      out = s;
      out.known = true;
      return;
    }
    std::vector<LogsourceAlternative> next;
    for (const auto& a : out.any)
      for (const auto& b : s.any) {
        LogsourceAlternative c = a;
        c.insert(c.end(), b.begin(), b.end());
        next.push_back(std::move(c));
      }
    out.any = std::move(next);
  };
  for (const Entry& e : entries_) {
    if (!e.product.empty() && !ls.product.empty() && e.product != ls.product) continue;
    if (!e.category.empty() && e.category == ls.category) conjoin(e.selection);
    if (!e.service.empty() && e.service == ls.service) conjoin(e.selection);
  }
  return out;
}

}  // namespace vigil::detect::sigma
