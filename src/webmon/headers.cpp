#include <algorithm>

#include "core/text.h"
#include "webmon/checks.h"
#include "webmon/page.h"
#include "webmon/tls.h"

namespace vigil::webmon {

namespace {

std::string lower(std::string_view s) { return text::asciiLower(s); }

const std::vector<std::string>* directive(const Csp& csp, std::string_view name) {
  for (const auto& [k, v] : csp)
    if (k == name) return &v;
  return nullptr;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A source that allows scripts from anywhere (or any https site, or inline data).
bool broadSource(const std::string& s) {
  return s == "*" || s == "http:" || s == "https:" || s == "data:" || s == "blob:" || s == "http://*" ||
         s == "https://*";
}

bool sessionCookie(std::string_view name) {
  const std::string n = lower(name);
  return n.find("sess") != std::string::npos || n == "sid" || n.find("sessid") != std::string::npos ||
         n.find("auth") != std::string::npos || n.find("token") != std::string::npos;
}

std::string gradeOf(int score) {
  static const std::pair<int, const char*> kGrades[] = {
      {100, "A+"}, {90, "A"}, {85, "A-"}, {80, "B+"}, {70, "B"}, {65, "B-"},
      {60, "C+"},  {50, "C"}, {45, "C-"}, {40, "D+"}, {30, "D"}, {25, "D-"},
  };
  for (const auto& [min, g] : kGrades)
    if (score >= min) return g;
  return "F";
}

}  // namespace

Csp parseCsp(std::string_view header) {
  Csp out;
  size_t p = 0;
  while (p < header.size() && out.size() < 100) {
    size_t e = header.find(';', p);
    if (e == std::string_view::npos) e = header.size();
    const std::string d = lower(text::trim(header.substr(p, e - p)));
    p = e + 1;
    if (d.empty()) continue;
    std::vector<std::string> tokens;
    size_t q = 0;
    while (q < d.size()) {
      while (q < d.size() && std::isspace(static_cast<unsigned char>(d[q]))) ++q;
      size_t r = q;
      while (r < d.size() && !std::isspace(static_cast<unsigned char>(d[r]))) ++r;
      if (r > q) tokens.emplace_back(d.substr(q, r - q));
      q = r;
    }
    if (tokens.empty() || directive(out, tokens[0])) continue;  // a repeated directive is ignored
    std::string name = tokens[0];
    tokens.erase(tokens.begin());
    out.emplace_back(std::move(name), std::move(tokens));
  }
  return out;
}

std::string contentTypeCharset(std::string_view contentType) {
  const std::string c = lower(contentType);
  const auto p = c.find("charset=");
  if (p == std::string::npos) return {};
  std::string v(text::trim(c.substr(p + 8)));
  const auto end = v.find(';');
  if (end != std::string::npos) v = v.substr(0, end);
  if (!v.empty() && v.front() == '"') v.erase(0, 1);
  if (!v.empty() && v.back() == '"') v.pop_back();
  return v;
}

Finding fetchFailure(const FetchResult& r, const std::string& url) {
  Finding f{"fetch", "", Severity::kHigh, url, r.errorMessage, {}};
  switch (r.error) {
    case FetchError::kRefusedAddress: f.id = "refused_private_address"; break;
    case FetchError::kTimeout: f.id = "timeout"; break;
    case FetchError::kTooManyRedirects: f.id = "too_many_redirects"; break;
    case FetchError::kDns: f.id = "dns"; break;
    case FetchError::kTls: f.id = "tls_error"; break;
    case FetchError::kBadUrl: f.id = "bad_url"; break;
    case FetchError::kCancelled: f.id = "cancelled"; break;
    default: f.id = "unreachable";
  }
  std::string chain;
  for (const auto& h : r.chain) chain += (chain.empty() ? "" : " -> ") + h.url + " [" + std::to_string(h.status) + "]";
  if (!chain.empty()) f.with("chain", chain);
  return f;
}

HeaderReport scoreHeaders(const FetchResult& r, const FetchResult* httpEntry, const std::string& url) {
  HeaderReport rep;
  int penalties = 0, bonuses = 0;
  auto item = [&](std::string test, int points, std::string detail) {
    rep.items.push_back({std::move(test), points, std::move(detail)});
    if (points < 0)
      penalties += points;
    else
      bonuses += points;
  };
  const bool https = lower(r.finalUrl).rfind("https://", 0) == 0;

  // Content-Security-Policy.
  const std::string cspText = r.header("content-security-policy");
  if (cspText.empty()) {
    item("csp", -25, "Content-Security-Policy header missing");
  } else {
    const Csp csp = parseCsp(cspText);
    if (csp.empty()) {
      item("csp", -25, "Content-Security-Policy cannot be parsed: " + cspText);
    } else {
      const auto* def = directive(csp, "default-src");
      const auto* script = directive(csp, "script-src");
      if (!script) script = def;
      const auto* object = directive(csp, "object-src");
      if (!object) object = def;
      const auto* style = directive(csp, "style-src");
      if (!style) style = def;
      bool unsafe = false;
      std::vector<std::string> problems;
      if (!script) {
        problems.push_back("no script-src or default-src (scripts unrestricted)");
      } else {
        if (contains(*script, "'unsafe-inline'") && !contains(*script, "'strict-dynamic'"))
          problems.push_back("'unsafe-inline' in script-src");
        for (const auto& s : *script)
          if (broadSource(s)) problems.push_back("broad source " + s + " in script-src");
      }
      if (!object || (!contains(*object, "'none'") && !contains(*object, "'self'") && object->empty() == false &&
                      std::any_of(object->begin(), object->end(), broadSource)))
        problems.push_back("object-src unrestricted");
      if (!problems.empty()) {
        std::string d;
        for (const auto& p : problems) d += (d.empty() ? "" : "; ") + p;
        item("csp", -20, "unsafe Content-Security-Policy: " + d);
        unsafe = true;
      }
      if (script && contains(*script, "'unsafe-eval'")) {
        item("csp", -10, "'unsafe-eval' in script-src");
        unsafe = true;
      }
      for (const auto& [name, sources] : csp)
        for (const auto& s : sources)
          if (s.rfind("http:", 0) == 0 && name != "upgrade-insecure-requests") {
            item("csp", -20, "http: source " + s + " in " + name);
            unsafe = true;
            break;
          }
      const bool styleUnsafe = style && contains(*style, "'unsafe-inline'");
      if (!unsafe) {
        const auto* formAction = directive(csp, "form-action");
        if (def && contains(*def, "'none'") && formAction && !styleUnsafe)
          item("csp", 10, "default-src 'none', no unsafe sources, form-action set");
        else if (!styleUnsafe)
          item("csp", 5, "no unsafe sources");
        else
          item("csp", 0, "'unsafe-inline' only in style-src");
      }
    }
  }

  // Cookies.
  const auto cookies = r.headerValues("set-cookie");
  const std::string hstsText = r.header("strict-transport-security");
  const std::optional<long> hstsParsed = hstsMaxAge(hstsText);
  const bool hsts = https && hstsParsed.has_value();
  const long hstsAge = hstsParsed.value_or(0);
  if (!cookies.empty()) {
    bool allGood = true;
    for (const auto& c : cookies) {
      const std::string l = lower(c);
      const std::string name(text::trim(std::string_view(c).substr(0, c.find('='))));
      const bool secure = l.find("; secure") != std::string::npos || l.find(";secure") != std::string::npos;
      const bool httpOnly = l.find("httponly") != std::string::npos;
      const auto ss = l.find("samesite=");
      std::string sameSite;
      if (ss != std::string::npos) {
        sameSite = l.substr(ss + 9);
        sameSite = sameSite.substr(0, sameSite.find(';'));
        sameSite = std::string(text::trim(sameSite));
      }
      const bool session = sessionCookie(name);
      if (!secure) {
        allGood = false;
        if (session)
          item("cookies", hsts ? -10 : -40, "session cookie '" + name + "' without Secure");
        else
          item("cookies", hsts ? -5 : -20, "cookie '" + name + "' without Secure");
      }
      if (session && !httpOnly) {
        allGood = false;
        item("cookies", -30, "session cookie '" + name + "' without HttpOnly");
      }
      if (!sameSite.empty() && sameSite != "strict" && sameSite != "lax" && sameSite != "none") {
        allGood = false;
        item("cookies", -20, "cookie '" + name + "' with invalid SameSite=" + sameSite);
      } else if (sameSite.empty()) {
        allGood = false;
        item("cookies", 0, "cookie '" + name + "' without SameSite");
      }
    }
    if (allGood) item("cookies", 5, "all cookies Secure and SameSite, session cookies HttpOnly");
  }

  // CORS.
  if (r.header("access-control-allow-origin") == "*" && lower(r.header("access-control-allow-credentials")) == "true")
    item("cors", -50, "Access-Control-Allow-Origin: * with credentials");

  // HSTS.
  if (!https)
    item("hsts", -20, "the page is not served over HTTPS");
  else if (hstsText.empty())
    item("hsts", -20, "Strict-Transport-Security header missing");
  else if (!hstsParsed)
    item("hsts", -20, "Strict-Transport-Security cannot be parsed: " + hstsText);
  else if (hstsAge < 15768000)
    item("hsts", -10, "HSTS max-age " + std::to_string(hstsAge) + " s is below 6 months");

  // Redirection from http.
  if (https && httpEntry) {
    if (!httpEntry->ok()) {
      // Nothing answers on plain HTTP: nothing to redirect (Observatory: not needed).
    } else if (httpEntry->chain.empty() || httpEntry->chain.front().location.empty()) {
      item("redirection", -20,
           "http:// answers " + std::to_string(httpEntry->status) + " without redirecting to https");
    } else {
      const auto target = parseUrl(httpEntry->chain.front().location);
      const auto self = parseUrl(httpEntry->chain.front().url);
      if (!target.ok() || target->scheme != "https")
        item("redirection", -10, "http:// first redirects to " + httpEntry->chain.front().location);
      else if (self.ok() && target->host != self->host)
        item("redirection", -5, "http:// first redirects to another host: " + target->host);
    }
  }

  // Referrer-Policy.
  const std::string rp = lower(r.header("referrer-policy"));
  if (!rp.empty()) {
    const std::string last(text::trim(rp.substr(rp.rfind(',') == std::string::npos ? 0 : rp.rfind(',') + 1)));
    if (last == "no-referrer" || last == "same-origin" || last == "strict-origin" ||
        last == "strict-origin-when-cross-origin")
      item("referrer-policy", 5, "Referrer-Policy: " + rp);
    else if (last == "origin" || last == "origin-when-cross-origin" || last == "unsafe-url" ||
             last == "no-referrer-when-downgrade")
      item("referrer-policy", -5, "unsafe Referrer-Policy: " + rp);
    else
      item("referrer-policy", -5, "invalid Referrer-Policy: " + rp);
  }

  // X-Content-Type-Options.
  if (lower(text::trim(r.header("x-content-type-options"))) != "nosniff")
    item("x-content-type-options", -5, "X-Content-Type-Options: nosniff missing");

  // X-Frame-Options / frame-ancestors.
  const Csp csp = parseCsp(cspText);
  const std::string xfo = lower(text::trim(r.header("x-frame-options")));
  if (directive(csp, "frame-ancestors"))
    item("x-frame-options", 5, "CSP frame-ancestors set");
  else if (xfo != "deny" && xfo != "sameorigin")
    item("x-frame-options", -20, xfo.empty() ? "X-Frame-Options missing" : "invalid X-Frame-Options: " + xfo);

  // Cross-Origin-Resource-Policy (MDN).
  const std::string corp = lower(text::trim(r.header("cross-origin-resource-policy")));
  if (corp == "same-origin" || corp == "same-site")
    item("corp", 10, "Cross-Origin-Resource-Policy: " + corp);
  else if (!corp.empty() && corp != "cross-origin")
    item("corp", -5, "invalid Cross-Origin-Resource-Policy: " + corp);

  // Subresource integrity and scripts over http.
  if (lower(r.header("content-type")).find("html") != std::string::npos) {
    const PageFacts facts = analyzePage(r.body, r.finalUrl);
    std::vector<std::string> overHttp, noSri;
    for (const auto& s : facts.scripts) {
      if (s.src.empty() || !s.external) continue;
      if (lower(s.src).rfind("http://", 0) == 0)
        overHttp.push_back(s.src);
      else if (!s.integrity)
        noSri.push_back(s.src);
    }
    if (!overHttp.empty())
      item("sri", -50, "external script(s) loaded over http: " + overHttp.front());
    else if (!noSri.empty())
      item("sri", -5, std::to_string(noSri.size()) + " external script(s) without integrity: " + noSri.front());
  }

  rep.score = std::max(0, 100 + penalties);
  if (rep.score >= 90) rep.score += bonuses;
  rep.grade = gradeOf(rep.score);
  (void)url;
  return rep;
}

std::vector<Finding> headerFindings(const HeaderReport& rep, const std::string& url) {
  std::vector<Finding> out;
  for (const auto& i : rep.items) {
    if (i.points >= 0) continue;
    const Severity s = i.points <= -40 ? Severity::kHigh : i.points <= -20 ? Severity::kMedium : Severity::kLow;
    std::string id = i.test;
    std::replace(id.begin(), id.end(), '-', '_');
    out.push_back(Finding{"headers", id, s, url, i.detail, {{"points", std::to_string(i.points)}}});
  }
  Finding g{"headers",
            "score",
            Severity::kInfo,
            url,
            "HTTP Observatory score " + std::to_string(rep.score) + " (" + rep.grade + ")",
            {}};
  std::string bonus;
  for (const auto& i : rep.items)
    if (i.points > 0) bonus += (bonus.empty() ? "" : "; ") + i.test + " +" + std::to_string(i.points);
  if (!bonus.empty()) g.with("bonuses", bonus);
  out.push_back(std::move(g));
  return out;
}

namespace {

// The page (redirects followed) and, for https targets, the first answer of the plain-HTTP entry.
// Headers are read whatever the certificate: trust is the TLS check's verdict.
struct HeaderFetch {
  FetchResult page;
  std::optional<FetchResult> httpEntry;
};

Result<HeaderFetch> fetchForHeaders(const Target& target, const FetchOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(auto parts, parseUrl(target.url));
  FetchOptions f = options;
  f.verifyTls = false;
  HeaderFetch out;
  out.page = fetch(target.url, f);
  if (out.page.ok() && parts.scheme == "https") {
    FetchOptions h = f;
    h.maxRedirects = 0;
    h.maxBodyBytes = 64 * 1024;
    h.timeoutMs = std::min(f.timeoutMs, 10000L);
    out.httpEntry = fetch(target.httpUrl.empty() ? "http://" + parts.host + "/" : target.httpUrl, h);
  }
  return out;
}

}  // namespace

Result<HeaderReport> HeadersCheck::score(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto got, fetchForHeaders(target, fetch_));
  if (!got.page.ok()) return Error::unavailable(got.page.errorMessage);
  return scoreHeaders(got.page, got.httpEntry ? &*got.httpEntry : nullptr, target.url);
}

Result<std::vector<Finding>> HeadersCheck::run(const Target& target) const {
  VIGIL_ASSIGN_OR_RETURN(auto got, fetchForHeaders(target, fetch_));
  if (!got.page.ok()) return std::vector<Finding>{fetchFailure(got.page, target.url)};
  return headerFindings(scoreHeaders(got.page, got.httpEntry ? &*got.httpEntry : nullptr, target.url), target.url);
}

}  // namespace vigil::webmon
