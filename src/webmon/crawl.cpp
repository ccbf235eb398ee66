#include "webmon/crawl.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "webmon/page.h"

namespace vigil::webmon {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxQueue = 10000;
constexpr int kMaxErrorFindings = 10;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string localName(const char* name) {
  const std::string_view n(name);
  const size_t colon = n.rfind(':');
  return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The text of the child element with local name `name`, or empty.
std::string childText(const pugi::xml_node& node, const char* name) {
  for (const auto& c : node.children())
    if (localName(c.name()) == name) return trim(c.child_value());
  return {};
}

std::string stripWww(const std::string& host) { return host.rfind("www.", 0) == 0 ? host.substr(4) : host; }

std::string withoutFragment(const std::string& url) {
  const size_t hash = url.find('#');
  return hash == std::string::npos ? url : url.substr(0, hash);
}

bool looksLikeFile(const std::string& path) {
  static const char* kExt[] = {".pdf", ".jpg",  ".jpeg", ".png", ".gif", ".webp", ".svg",  ".ico",  ".bmp",
                               ".zip", ".rar",  ".7z",   ".gz",  ".tar", ".doc",  ".docx", ".xls",  ".xlsx",
                               ".ppt", ".pptx", ".mp4",  ".mp3", ".avi", ".css",  ".js",   ".woff", ".woff2"};
  const std::string p = lower(path);
  for (const char* e : kExt) {
    const std::string_view ext(e);
    if (p.size() >= ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  return false;
}

std::string charsetOf(const std::string& contentType) {
  const std::string ct = lower(contentType);
  const size_t at = ct.find("charset=");
  if (at == std::string::npos) return {};
  std::string cs = ct.substr(at + 8);
  const size_t end = cs.find_first_of("; ");
  if (end != std::string::npos) cs.resize(end);
  cs.erase(std::remove(cs.begin(), cs.end(), '"'), cs.end());
  return cs;
}

class Crawler {
 public:
  Crawler(const CrawlOptions& options, const Lexicon& lexicon, const std::vector<std::string>& allowed,
          const UrlParts& start)
      : options_(options),
        lexicon_(lexicon),
        allowed_(allowed),
        start_(start),
        deadline_(Clock::now() + std::chrono::seconds(options.maxSeconds)) {}

  CrawlResult run(const std::string& startUrl) {
    queue_.push_back({withoutFragment(startUrl), 0, "start"});
    seen_.insert(withoutFragment(startUrl));
    // The start page first: its links are queued behind the sitemap pages.
    std::deque<Item> links;
    if (!visit(queue_.front(), links)) return finish();
    queue_.pop_front();
    if (options_.useSitemaps) readSitemaps();
    for (auto& l : links) queue_.push_back(std::move(l));
    while (!queue_.empty()) {
      if (stop()) return finish();
      Item item = std::move(queue_.front());
      queue_.pop_front();
      std::deque<Item> found;
      visit(item, found);
      for (auto& l : found) queue_.push_back(std::move(l));
    }
    return finish();
  }

 private:
  struct Item {
    std::string url;
    int depth = 0;
    std::string via;
  };

  bool sameOrigin(const std::string& url, UrlParts* parts = nullptr) const {
    auto p = parseUrl(url);
    if (!p.ok()) return false;
    const bool same =
        p->scheme == start_.scheme && stripWww(p->host) == stripWww(start_.host) && p->port == start_.port;
    if (same && parts) *parts = *p;
    return same;
  }

  // True when a bound stops the crawl (and records which).
  bool stop() {
    if (!result_.stopReason.empty()) return true;  // a request already ran out of time or bytes
    if (static_cast<int>(result_.pages.size()) >= options_.maxPages) return stopWith("page limit");
    if (bytes_ >= options_.maxTotalBytes) return stopWith("byte limit");
    if (Clock::now() >= deadline_) return stopWith("time limit");
    return false;
  }
  bool stopWith(const char* reason) {
    result_.stopReason = reason;
    return true;
  }

  // One bounded request: the delay since the previous one, the time and byte budgets.
  std::optional<FetchResult> request(const std::string& url, size_t maxBody) {
    if (requests_ > 0 && options_.delayMs > 0) {
      const auto next = lastRequest_ + std::chrono::milliseconds(options_.delayMs);
      if (next >= deadline_) {
        stopWith("time limit");
        return std::nullopt;
      }
      std::this_thread::sleep_until(next);
    }
    const long leftMs = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    if (leftMs <= 0) {
      stopWith("time limit");
      return std::nullopt;
    }
    if (bytes_ >= options_.maxTotalBytes) {
      stopWith("byte limit");
      return std::nullopt;
    }
    FetchOptions o = options_.fetch;
    o.timeoutMs = std::min(o.timeoutMs, leftMs);
    o.maxBodyBytes = std::min({o.maxBodyBytes, maxBody, options_.maxTotalBytes - bytes_});
    ++requests_;
    FetchResult r = fetch(url, o);
    lastRequest_ = Clock::now();
    bytes_ += r.body.size();
    return r;
  }

  void addFinding(Finding f) { result_.findings.push_back(std::move(f)); }

  void errorFinding(const std::string& id, const std::string& url, const std::string& summary) {
    if (errorFindings_++ >= kMaxErrorFindings) return;
    addFinding(Finding{"crawl", id, Severity::kLow, url, summary, {}});
  }

  // Fetches and analyses one page; links worth following go to `links`. False when the start page
  // could not be read (the crawl ends).
  bool visit(const Item& item, std::deque<Item>& links) {
    if (stop()) return false;
    auto r = request(item.url, options_.fetch.maxBodyBytes);
    if (!r) return false;
    CrawledPage page{r->finalUrl.empty() ? item.url : r->finalUrl, item.depth, r->status, r->body.size(), item.via, 0};
    if (!r->ok()) {
      result_.pages.push_back(page);
      if (item.depth == 0) {
        addFinding(Finding{"crawl",
                           "start_unreachable",
                           Severity::kMedium,
                           item.url,
                           "The crawl could not read its start page: " + r->errorMessage,
                           {}});
        return false;
      }
      errorFinding("page_error", item.url, "A page of the site could not be read: " + r->errorMessage);
      return true;
    }
    if (!sameOrigin(r->finalUrl)) {
      result_.pages.push_back(page);
      Finding f{"crawl",
                "redirect_offsite",
                Severity::kMedium,
                item.url,
                "A page of the site redirects to another site: " + r->finalUrl,
                {}};
      f.with("final_url", r->finalUrl).with("crawl_via", item.via);
      addFinding(std::move(f));
      return item.depth != 0;
    }
    const std::string contentType = lower(r->header("content-type"));
    const bool html = contentType.find("html") != std::string::npos ||
                      (contentType.empty() && r->body.find('<') != std::string::npos);
    if (!html || r->status >= 400) {
      result_.pages.push_back(page);
      return true;
    }
    const PageFacts facts = analyzePage(r->body, r->finalUrl);
    if (item.depth > 0 || options_.startFindings) {
      for (auto& f : pageFindings(facts, r->finalUrl, lexicon_, allowed_, charsetOf(contentType))) {
        if (f.severity == Severity::kInfo) continue;  // outbound-domain lists etc.: noise across many pages
        f.with("crawl_via", item.via);
        ++page.findings;
        addFinding(std::move(f));
      }
    }
    result_.pages.push_back(page);
    if (item.depth >= options_.maxDepth) return true;
    for (const auto& link : facts.links) {
      if (link.tag != "a" && link.tag != "area") continue;
      if (link.external) continue;
      UrlParts parts;
      if (!sameOrigin(link.url, &parts) || looksLikeFile(parts.path)) continue;
      const std::string url = withoutFragment(link.url);
      if (seen_.size() >= kMaxQueue || !seen_.insert(url).second) continue;
      links.push_back({url, item.depth + 1, "link from " + r->finalUrl});
    }
    return true;
  }

  void readSitemaps() {
    std::deque<std::string> sitemaps;
    std::set<std::string> known;
    const std::string origin =
        start_.scheme + "://" + start_.host +
        ((start_.scheme == "https" && start_.port == 443) || (start_.scheme == "http" && start_.port == 80)
             ? std::string()
             : ":" + std::to_string(start_.port));
    bool fromRobots = false;
    if (auto robots = request(origin + "/robots.txt", 512 * 1024); robots && robots->ok() && robots->status == 200) {
      std::istringstream in(robots->body);
      std::string line;
      while (std::getline(in, line)) {
        const std::string l = lower(line.substr(0, 8));
        if (l != "sitemap:") continue;
        auto url = resolveUrl(origin + "/", trim(line.substr(8)));
        if (!url.ok()) continue;
        if (!sameOrigin(*url)) {
          errorFinding("sitemap_offsite", origin + "/robots.txt",
                       "robots.txt names a sitemap on another site (not read): " + *url);
          continue;
        }
        if (known.insert(*url).second) sitemaps.push_back(*url);
        fromRobots = true;
      }
    }
    if (!fromRobots && known.insert(origin + "/sitemap.xml").second) sitemaps.push_back(origin + "/sitemap.xml");
    std::vector<std::pair<SitemapEntry, std::string>> pages;  // entry, sitemap URL
    int read = 0;
    while (!sitemaps.empty() && read < options_.maxSitemaps) {
      const std::string url = sitemaps.front();
      sitemaps.pop_front();
      const bool guessed = !fromRobots && url == origin + "/sitemap.xml";
      ++read;
      auto r = request(url, options_.maxSitemapBytes);
      if (!r) break;
      if (!r->ok() || r->status != 200) {
        if (!guessed)
          errorFinding(
              "sitemap_error", url,
              "Sitemap not readable: " + (r->ok() ? "HTTP status " + std::to_string(r->status) : r->errorMessage));
        continue;
      }
      if (r->truncated) {
        errorFinding("sitemap_error", url,
                     "Sitemap larger than the crawl's bound (" + std::to_string(options_.maxSitemapBytes) +
                         " bytes or the remaining byte budget): not read");
        continue;
      }
      std::string xml = std::move(r->body);
      if (isGzip(xml)) {
        auto plain = gunzipBounded(xml, options_.maxSitemapBytes, "sitemap " + url);
        if (!plain.ok()) {
          errorFinding("sitemap_error", url, plain.error().message);
          continue;
        }
        xml = std::move(*plain);
      }
      auto map = parseSitemap(xml, "sitemap " + url, options_.maxSitemapUrls);
      if (!map.ok()) {
        // /sitemap.xml was only guessed: many portals answer a missing page with their home page
        // (status 200); that is not a broken sitemap. Report it only when it claims to be one.
        const bool claimsSitemap = xml.find("<urlset") != std::string::npos ||
                                   xml.find("<sitemapindex") != std::string::npos || xml.rfind("<?xml", 0) == 0;
        if (!guessed || claimsSitemap) errorFinding("sitemap_error", url, map.error().message);
        continue;
      }
      result_.sitemaps.push_back(url);
      if (map->dropped > 0)
        errorFinding("sitemap_truncated", url,
                     "Sitemap lists more than " + std::to_string(options_.maxSitemapUrls) + " entries; " +
                         std::to_string(map->dropped) + " not read");
      for (const auto& e : map->entries) {
        auto abs = resolveUrl(url, e.loc);
        if (!abs.ok() || !sameOrigin(*abs)) continue;
        if (map->index) {
          if (known.insert(*abs).second) sitemaps.push_back(*abs);
        } else {
          pages.push_back({SitemapEntry{*abs, e.lastmod}, url});
        }
      }
    }
    if (!sitemaps.empty())
      errorFinding("sitemap_limit", origin,
                   std::to_string(sitemaps.size()) + " sitemap(s) not read: at most " +
                       std::to_string(options_.maxSitemaps) + " per crawl");
    // Newest first (W3C dates compare as text); entries without a date keep their order at the end.
    std::stable_sort(pages.begin(), pages.end(),
                     [](const auto& a, const auto& b) { return a.first.lastmod > b.first.lastmod; });
    for (const auto& [entry, from] : pages) {
      const std::string url = withoutFragment(entry.loc);
      if (seen_.size() >= kMaxQueue || !seen_.insert(url).second) continue;
      queue_.push_back({url, 1, "sitemap " + from});
    }
  }

  // The same injection on many pages (a site-wide footer or template) is one finding: the first
  // page's, with evidence "also_on_pages" (how many more) and "also_on" (up to 5 of their URLs).
  void mergeRepeats() {
    std::vector<Finding> kept;
    std::map<std::tuple<std::string, std::string, std::string>, size_t> first;  // check, id, summary -> index
    std::vector<std::vector<std::string>> others;
    for (auto& f : result_.findings) {
      const auto key = std::make_tuple(f.check, f.id, f.summary);
      auto it = first.find(key);
      if (f.check == "page" && it != first.end()) {
        others[it->second].push_back(f.url);
        continue;
      }
      first.emplace(key, kept.size());
      kept.push_back(std::move(f));
      others.emplace_back();
    }
    for (size_t i = 0; i < kept.size(); ++i) {
      if (others[i].empty()) continue;
      std::string list;
      for (size_t k = 0; k < others[i].size() && k < 5; ++k) list += (k ? " " : "") + others[i][k];
      kept[i].with("also_on_pages", std::to_string(others[i].size())).with("also_on", list);
    }
    result_.findings = std::move(kept);
  }

  CrawlResult finish() {
    mergeRepeats();
    if (result_.stopReason.empty()) result_.stopReason = "done";
    size_t fromSitemaps = 0;
    for (const auto& p : result_.pages) fromSitemaps += p.via.rfind("sitemap ", 0) == 0;
    const std::string start = result_.pages.empty() ? std::string() : result_.pages.front().url;
    Finding f{"crawl",
              result_.stopReason == "done" ? "summary" : "bound_reached",
              Severity::kInfo,
              start,
              std::to_string(result_.pages.size()) + " page(s) crawled (" + std::to_string(fromSitemaps) +
                  " from sitemaps, " + std::to_string(result_.sitemaps.size()) + " sitemap(s) read), " +
                  std::to_string(bytes_) + " bytes; stopped: " + result_.stopReason,
              {}};
    f.with("pages", std::to_string(result_.pages.size())).with("stop", result_.stopReason);
    result_.findings.push_back(std::move(f));
    return std::move(result_);
  }

  const CrawlOptions& options_;
  const Lexicon& lexicon_;
  const std::vector<std::string>& allowed_;
  const UrlParts start_;
  const Clock::time_point deadline_;
  Clock::time_point lastRequest_{};
  int requests_ = 0;
  size_t bytes_ = 0;
  int errorFindings_ = 0;
  std::deque<Item> queue_;
  std::set<std::string> seen_;
  CrawlResult result_;
};

}  // namespace

bool isGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::string> gunzipBounded(std::string_view data, size_t maxBytes, const std::string& origin) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return Error::internal(origin + ": zlib initialisation failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string why = rc == Z_BUF_ERROR ? "the gzip data ends early" : (zs.msg ? zs.msg : "corrupt gzip data");
      inflateEnd(&zs);
      return Error::validation(origin, why);
    }
    const size_t produced = sizeof buf - zs.avail_out;
    if (out.size() + produced > maxBytes) {
      inflateEnd(&zs);
      return Error::validation(
          origin, "decompresses to more than " + std::to_string(maxBytes) + " bytes (a compression bomb?): not read");
    }
    out.append(buf, produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return Error::validation(origin, "the gzip data ends early");
    }
  }
  inflateEnd(&zs);
  return out;
}

Result<Sitemap> parseSitemap(std::string_view xml, const std::string& origin, size_t maxEntries) {
  pugi::xml_document doc;
  // parse_default: no DOCTYPE node, no custom entities (only &lt; &gt; &amp; &apos; &quot; and
  // character references are expanded), no external resources.
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default);
  if (!parsed)
    return Error::validation(origin,
                             "XML error at byte " + std::to_string(parsed.offset) + ": " + parsed.description());
  const pugi::xml_node root = doc.document_element();
  const std::string name = localName(root.name());
  Sitemap map;
  const char* entryName = nullptr;
  if (name == "urlset") {
    entryName = "url";
  } else if (name == "sitemapindex") {
    entryName = "sitemap";
    map.index = true;
  } else {
    return Error::validation(origin, "root element <" + std::string(root.name()) +
                                         "> is neither <urlset> nor <sitemapindex>: not a sitemap");
  }
  for (const auto& child : root.children()) {
    if (child.type() != pugi::node_element || localName(child.name()) != entryName) continue;
    std::string loc = childText(child, "loc");
    if (loc.empty()) continue;
    if (map.entries.size() >= maxEntries) {
      ++map.dropped;
      continue;
    }
    map.entries.push_back({std::move(loc), childText(child, "lastmod")});
  }
  return map;
}

Result<CrawlResult> crawlSite(const std::string& startUrl, const CrawlOptions& options, const Lexicon& lexicon,
                              const std::vector<std::string>& allowedDomains) {
  VIGIL_ASSIGN_OR_RETURN(const UrlParts start, parseUrl(startUrl));
  if (options.maxPages < 1) return Error::validation("crawl", "the page limit must be at least 1");
  if (options.maxDepth < 0) return Error::validation("crawl", "the depth limit must not be negative");
  return Crawler(options, lexicon, allowedDomains, start).run(startUrl);
}

}  // namespace vigil::webmon
