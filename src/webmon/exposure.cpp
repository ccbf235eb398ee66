// ExposureCheck and the end-of-life data (checks.h).
#include <openssl/rand.h>

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/text.h"
#include "webmon/checks.h"
#include "webmon/page.h"
#include "webmon/toml_file.h"

namespace vigil::webmon {

namespace {

std::string lower(std::string_view s) { return text::asciiLower(s); }

bool looksHtml(const FetchResult& r) {
  const std::string head = lower(std::string_view(r.body).substr(0, 512));
  return lower(r.header("content-type")).find("html") != std::string::npos || head.find("<html") != std::string::npos ||
         head.find("<!doctype") != std::string::npos;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool isHex40(std::string_view s) {
  s = text::trim(s);
  if (s.size() != 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool envLines(const FetchResult& r) {
  if (looksHtml(r)) return false;
  std::istringstream in(r.body);
  std::string line;
  int n = 0;
  while (std::getline(in, line) && n < 2) {
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    const std::string key = line.substr(0, eq);
    if (std::all_of(key.begin(), key.end(),
                    [](char c) {
                      return std::isupper(static_cast<unsigned char>(c)) ||
                             std::isdigit(static_cast<unsigned char>(c)) || c == '_';
                    }) &&
        std::isupper(static_cast<unsigned char>(key[0])))
      ++n;
  }
  return n >= 2;
}

bool archiveMagic(const FetchResult& r) {
  const std::string_view b = r.body;
  return startsWith(b, "PK\x03\x04") || startsWith(b, "\x1f\x8b") || startsWith(b, "7z\xbc\xaf\x27\x1c") ||
         startsWith(b, "Rar!") ||
         startsWith(b,
                    "\xfd"
                    "7zXZ") ||
         startsWith(b, "SQLite format 3") ||
         (!looksHtml(r) &&
          (startsWith(b, "-- MySQL dump") || startsWith(b, "-- PostgreSQL database dump") ||
           (b.find("CREATE TABLE") != std::string_view::npos && b.find("INSERT INTO") != std::string_view::npos)));
}

bool listing(const FetchResult& r) {
  const std::string b = lower(std::string_view(r.body).substr(0, 4096));
  return b.find("<title>index of /") != std::string::npos || b.find("<h1>index of /") != std::string::npos ||
         b.find("<title>directory listing for") != std::string::npos;
}

struct Probe {
  std::string path, id;
  Severity severity;
  std::string what;
  std::function<bool(const FetchResult&)> matches;
};

std::vector<Probe> probes(const std::string& host) {
  std::vector<Probe> p = {
      {"/.git/HEAD", "git_exposed", Severity::kHigh, "the Git repository is downloadable (/.git/HEAD)",
       [](const FetchResult& r) { return startsWith(r.body, "ref: refs/") || isHex40(r.body); }},
      {"/.git/config", "git_config_exposed", Severity::kHigh, "the Git configuration is downloadable (/.git/config)",
       [](const FetchResult& r) { return !looksHtml(r) && r.body.find("[core]") != std::string::npos; }},
      {"/.env", "env_exposed", Severity::kHigh, "an environment file with settings is downloadable (/.env)", envLines},
      {"/.svn/entries", "svn_exposed", Severity::kHigh, "the Subversion working copy is downloadable (/.svn/entries)",
       [](const FetchResult& r) {
         const auto t = text::trim(r.body);
         return !looksHtml(r) && (r.body.find("wc-entries") != std::string::npos ||
                                  (!t.empty() && t.size() <= 3 && std::all_of(t.begin(), t.end(), ::isdigit)));
       }},
      {"/.svn/wc.db", "svn_exposed", Severity::kHigh, "the Subversion database is downloadable (/.svn/wc.db)",
       [](const FetchResult& r) { return startsWith(r.body, "SQLite format 3"); }},
      {"/phpinfo.php", "phpinfo", Severity::kMedium, "phpinfo() output is public",
       [](const FetchResult& r) {
         return r.body.find("PHP Version") != std::string::npos && r.body.find("PHP Extension") != std::string::npos;
       }},
      {"/info.php", "phpinfo", Severity::kMedium, "phpinfo() output is public",
       [](const FetchResult& r) {
         return r.body.find("PHP Version") != std::string::npos && r.body.find("PHP Extension") != std::string::npos;
       }},
      {"/server-status", "server_status", Severity::kMedium, "the web server's status page is public",
       [](const FetchResult& r) {
         return r.body.find("Apache Server Status") != std::string::npos ||
                r.body.find("Server uptime") != std::string::npos;
       }},
      {"/nginx_status", "server_status", Severity::kMedium, "the web server's status page is public",
       [](const FetchResult& r) { return startsWith(r.body, "Active connections:"); }},
      {"/", "directory_listing", Severity::kMedium, "directory listing is on", listing},
      {"/uploads/", "directory_listing", Severity::kMedium, "directory listing is on", listing},
      {"/backup/", "directory_listing", Severity::kMedium, "directory listing is on", listing},
      {"/wp-login.php", "admin_panel", Severity::kLow, "an administration login page is reachable", nullptr},
      {"/administrator/", "admin_panel", Severity::kLow, "an administration login page is reachable", nullptr},
      {"/user/login", "admin_panel", Severity::kLow, "an administration login page is reachable", nullptr},
      {"/phpmyadmin/", "admin_panel", Severity::kLow, "an administration login page is reachable", nullptr},
      {"/admin/", "admin_panel", Severity::kLow, "an administration login page is reachable", nullptr},
  };
  for (auto& a : p)
    if (!a.matches)
      a.matches = [](const FetchResult& r) {
        return lower(r.body).find("type=\"password\"") != std::string::npos ||
               lower(r.body).find("type=password") != std::string::npos;
      };
  // Backup archives named after the site.
  std::string site = host.rfind("www.", 0) == 0 ? host.substr(4) : host;
  const std::string label = site.substr(0, site.find('.'));
  std::vector<std::string> names = {"backup", "www", "site"};
  if (!label.empty() && std::find(names.begin(), names.end(), label) == names.end()) names.push_back(label);
  if (site != label) names.push_back(site);
  for (const auto& n : names)
    for (const char* ext : {".zip", ".tar.gz", ".sql"})
      p.push_back({"/" + n + ext, "backup_archive", Severity::kHigh, "a backup archive is downloadable", archiveMagic});
  return p;
}

// "nginx/1.22.1" -> ("nginx", "1.22.1"); "Apache/2.4.41 (Ubuntu)" -> ("apache", "2.4.41").
std::pair<std::string, std::string> productVersion(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return {};
  std::string product = lower(text::trim(s.substr(0, slash)));
  size_t e = slash + 1;
  while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) || s[e] == '.')) ++e;
  std::string version(s.substr(slash + 1, e - slash - 1));
  if (version.empty()) return {};
  if (product == "apache") product = "apache-httpd";
  return {product, version};
}

// <meta name=generator>: "WordPress 6.4.2", "Joomla! - Open Source...", "Drupal 7 (...)".
std::pair<std::string, std::string> generatorVersion(std::string_view g) {
  const std::string l = lower(g);
  for (const char* product : {"wordpress", "joomla", "drupal"}) {
    const auto p = l.find(product);
    if (p == std::string::npos) continue;
    size_t i = p + std::strlen(product);
    while (i < l.size() && !std::isdigit(static_cast<unsigned char>(l[i])) && i < p + std::strlen(product) + 4) ++i;
    size_t e = i;
    while (e < l.size() && (std::isdigit(static_cast<unsigned char>(l[e])) || l[e] == '.')) ++e;
    return {product, l.substr(i, e - i)};
  }
  return {};
}

std::string randomHex() {
  unsigned char b[8];
  RAND_bytes(b, sizeof b);
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += k[c >> 4];
    out += k[c & 15];
  }
  return out;
}

}  // namespace

Result<EolData> EolData::load(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::string text, readCatalogFile(path, "the end-of-life file"));
  return parse(text, path);
}

Result<EolData> EolData::parse(std::string_view tomlText, const std::string& origin) {
  VIGIL_ASSIGN_OR_RETURN(toml::table doc, parseCatalogToml(tomlText, origin));
  const auto* products = doc["product"].as_array();
  if (!products) return Error::validation(origin, "no [[product]] entries");
  EolData data;
  for (size_t i = 0; i < products->size(); ++i) {
    const std::string where = origin + ": product " + std::to_string(i + 1);
    const auto* t = (*products)[i].as_table();
    if (!t) return Error::validation(where, "is not a table");
    const std::string name = (*t)["name"].value_or(std::string());
    if (name.empty()) return Error::validation(where, "'name' is missing");
    const auto* cycles = (*t)["cycles"].as_array();
    if (!cycles || cycles->empty()) return Error::validation(where + " (" + name + ")", "'cycles' is missing or empty");
    std::vector<EolCycle> list;
    for (size_t k = 0; k < cycles->size(); ++k) {
      const auto* c = (*cycles)[k].as_table();
      const std::string cw = where + " (" + name + ") cycle " + std::to_string(k + 1);
      if (!c) return Error::validation(cw, "is not a table");
      EolCycle cy{(*c)["cycle"].value_or(std::string()), (*c)["eol"].value_or(std::string())};
      if (cy.cycle.empty()) return Error::validation(cw, "'cycle' is missing");
      if (cy.eol.size() != 10 || cy.eol[4] != '-' || cy.eol[7] != '-')
        return Error::validation(cw, "'eol' must be a YYYY-MM-DD string, got '" + cy.eol + "'");
      list.push_back(std::move(cy));
    }
    data.products.emplace_back(name, std::move(list));
  }
  return data;
}

const EolCycle* EolData::find(std::string_view product, std::string_view version) const {
  const EolCycle* best = nullptr;
  for (const auto& [name, cycles] : products) {
    if (name != product) continue;
    for (const auto& c : cycles) {
      const bool prefix = version.substr(0, c.cycle.size()) == c.cycle &&
                          (version.size() == c.cycle.size() || version[c.cycle.size()] == '.');
      if (prefix && (!best || c.cycle.size() > best->cycle.size())) best = &c;
    }
  }
  return best;
}

Result<std::vector<Finding>> ExposureCheck::run(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  const std::string origin =
      parts.scheme + "://" + parts.host +
      ((parts.scheme == "https" && parts.port == 443) || (parts.scheme == "http" && parts.port == 80)
           ? ""
           : ":" + std::to_string(parts.port));
  FetchOptions f = fetch_;
  f.verifyTls = false;
  f.maxRedirects = 0;  // a redirect to a login or error page is not an exposure
  f.maxBodyBytes = 256 * 1024;
  std::vector<Finding> out;
  // Soft-404 baseline: what the site answers for a path that cannot exist.
  const FetchResult notFound = fetch(origin + "/vigil-probe-" + randomHex() + "-missing", f);
  if (!notFound.ok()) return std::vector<Finding>{fetchFailure(notFound, target.url)};
  std::set<std::string> reported;
  for (const auto& p : probes(parts.host)) {
    const std::string url = origin + p.path;
    const FetchResult r = fetch(url, f);
    if (!r.ok() || r.status != 200) continue;
    if (notFound.status == 200 && r.body == notFound.body) continue;
    if (!p.matches(r)) continue;
    if (p.id == "directory_listing" && reported.count(p.id + p.path)) continue;
    reported.insert(p.id + p.path);
    out.push_back(Finding{"exposure",
                          p.id,
                          p.severity,
                          url,
                          p.what + ": " + p.path,
                          {{"status", std::to_string(r.status)},
                           {"content_type", r.header("content-type")},
                           {"body_start", r.body.substr(0, 120)}}});
  }

  // Version fingerprints from the home page, against the end-of-life data.
  FetchOptions home = fetch_;
  home.verifyTls = false;
  const FetchResult page = fetch(target.url, home);
  if (page.ok()) {
    std::vector<std::pair<std::string, std::string>> seen;  // (source, product/version text)
    for (const char* h : {"server", "x-powered-by"}) {
      const std::string v = page.header(h);
      const auto pv = productVersion(v);
      if (!pv.first.empty()) {
        seen.emplace_back(pv.first, pv.second);
        out.push_back(Finding{"exposure",
                              "version_disclosure",
                              Severity::kLow,
                              target.url,
                              std::string("the ") + h + " header discloses a version: " + v,
                              {{"header", std::string(h) + ": " + v}}});
      }
    }
    if (lower(page.header("content-type")).find("html") != std::string::npos) {
      const PageFacts facts = analyzePage(page.body, page.finalUrl);
      for (const auto& [k, v] : facts.meta)
        if (k == "generator") {
          const auto pv = generatorVersion(v);
          if (!pv.first.empty() && !pv.second.empty()) seen.push_back(pv);
        }
    }
    for (const auto& [product, version] : seen) {
      const EolCycle* c = eol_ ? eol_->find(product, version) : nullptr;
      if (c && c->eol <= today_)
        out.push_back(Finding{"exposure",
                              "end_of_life",
                              Severity::kMedium,
                              target.url,
                              product + " " + version + " is past its upstream end of life (" + c->cycle + ": " +
                                  c->eol + "); a distribution may still patch it",
                              {{"product", product}, {"version", version}, {"eol", c->eol}}});
    }
  }
  return out;
}

}  // namespace vigil::webmon
