#include "webmon/runner.h"

#include <algorithm>

#include "webmon/tls.h"

namespace vigil::webmon {

namespace {

// True when a finding is a cancelled fetch (the scheduler stopped while the check ran).
bool anyCancelled(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.check == "fetch" && f.id == "cancelled"; });
}

size_t countAbove(const std::vector<Finding>& findings, Severity min) {
  return static_cast<size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.severity >= min; }));
}

std::string findingKey(const Finding& f) { return f.check + "/" + f.id + "/" + f.url; }

// A check's Result error as a finding of that check (the target itself is unusable).
Finding errorFinding(std::string_view check, const std::string& url, const Error& e) {
  return Finding{std::string(check), "error", Severity::kMedium, url, e.message, {}};
}

}  // namespace

Result<std::unique_ptr<CheckRunner>> CheckRunner::create(RunnerOptions options, const Clock& clock) {
  if (!options.lexicon) return Error::validation("lexicon", "the web monitor needs the lexicon (lexicon.toml)");
  if (!options.eol) return Error::validation("eol", "the web monitor needs the end-of-life data (eol.toml)");
  return std::unique_ptr<CheckRunner>(new CheckRunner(std::move(options), clock));
}

FetchOptions CheckRunner::fetchOptions(const PortalSpec& portal, const RunContext& context) const {
  FetchOptions f;
  f.userAgent = vigilUserAgent(o_.contactUrl);
  f.allowPrivate = portal.allowPrivate;
  f.caFile = o_.caFile;
  f.timeoutMs = o_.requestTimeoutMs;
  f.connectTimeoutMs = o_.connectTimeoutMs;
  f.beforeRequest = context.gate;
  f.cancel = context.cancel;
  return f;
}

std::optional<PortalRun> CheckRunner::run(const PortalSpec& portal, CheckClass checkClass, const Facts& previous,
                                          const RunContext& context) {
  PortalRun run;
  const FetchOptions f = fetchOptions(portal, context);
  const Target target{portal.url, portal.allowedDomains, ""};
  switch (checkClass) {
    case CheckClass::kAvailability: {
      AvailabilityOptions a;
      a.fetch = f;
      a.connectTimeoutMs = o_.connectTimeoutMs;
      a.retries = o_.retries;
      a.backoffMs = o_.backoffMs;
      a.sleep = context.sleep;
      auto outcome = checkAvailability(portal, previous, clock_.nowMs(), a);
      if (outcome.cancelled || context.cancelled()) return std::nullopt;
      run.findings = std::move(outcome.findings);
      run.facts = std::move(outcome.facts);
      run.attempts = outcome.attempts;
      return run;
    }
    case CheckClass::kContent: return content(portal, previous, context);
    case CheckClass::kTls: return tls(portal, context);
    case CheckClass::kHeaders: {
      auto report = HeadersCheck(f).score(target);
      if (context.cancelled()) return std::nullopt;
      if (!report.ok()) {
        run.findings.push_back(errorFinding("headers", portal.url, report.error()));
        run.facts = {{"headers.status", "error"}};
        return run;
      }
      run.findings = headerFindings(*report, portal.url);
      if (anyCancelled(run.findings)) return std::nullopt;
      run.facts = {
          {"headers.status", "ok"}, {"headers.score", std::to_string(report->score)}, {"headers.grade", report->grade}};
      return run;
    }
    case CheckClass::kExposure: {
      const std::string today = formatRfc3339(clock_.nowMs()).substr(0, 10);
      auto found = ExposureCheck(f, o_.eol, today).run(target);
      if (context.cancelled()) return std::nullopt;
      if (!found.ok()) {
        run.findings.push_back(errorFinding("exposure", portal.url, found.error()));
        run.facts = {{"exposure.status", "error"}};
        return run;
      }
      run.findings = std::move(*found);
      if (anyCancelled(run.findings)) return std::nullopt;
      run.facts = {{"exposure.status", "ok"},
                   {"exposure.findings", std::to_string(countAbove(run.findings, Severity::kLow))}};
      return run;
    }
  }
  return std::nullopt;
}

std::optional<PortalRun> CheckRunner::content(const PortalSpec& portal, const Facts& previous,
                                              const RunContext& context) {
  PortalRun run;
  const FetchOptions f = fetchOptions(portal, context);
  const PageCheck page(f, o_.lexicon);
  const CloakingCheck cloaking(f, o_.lexicon);
  std::vector<std::string> pages{portal.url};
  for (const auto& k : portal.keyPages)
    if (std::find(pages.begin(), pages.end(), k) == pages.end()) pages.push_back(k);
  for (const auto& url : pages) {
    const Target target{url, portal.allowedDomains, ""};
    std::vector<Finding> found;
    for (const Check* check : {static_cast<const Check*>(&page), static_cast<const Check*>(&cloaking)}) {
      auto r = check->run(target);
      if (context.cancelled()) return std::nullopt;
      if (!r.ok()) {
        found.push_back(errorFinding(check->name(), url, r.error()));
        continue;
      }
      for (auto& x : *r) found.push_back(std::move(x));
    }
    if (anyCancelled(found)) return std::nullopt;
    // Evidence: the page as a browser gets it, for the strongest content finding on it.
    const Finding* strongest = nullptr;
    for (const auto& x : found)
      if ((x.check == "page" || x.check == "cloaking") && x.severity >= Severity::kLow &&
          (!strongest || x.severity > strongest->severity))
        strongest = &x;
    if (strongest) {
      FetchOptions ef = f;
      ef.verifyTls = false;
      ef.userAgent = kBrowserUserAgent;
      const FetchResult r = fetch(url, ef);
      if (r.error == FetchError::kCancelled) return std::nullopt;
      if (r.ok()) {
        std::string headers = "HTTP " + std::to_string(r.status) + " " + r.finalUrl + "\n";
        for (const auto& [k, v] : r.headers) headers += k + ": " + v + "\n";
        const std::string type = r.header("content-type");
        run.evidence.push_back(
            RunEvidence{findingKey(*strongest), "body.html", type.empty() ? "text/html" : type, r.body});
        run.evidence.push_back(RunEvidence{findingKey(*strongest), "headers.txt", "text/plain", headers});
      }
    }
    for (auto& x : found) run.findings.push_back(std::move(x));
  }
  // Defacement fingerprints and the sitemap crawl (webmon-deface) plug in here: each extension
  // sees the findings so far and adds its own findings, "content." facts and evidence.
  for (const auto& extension : o_.contentExtensions) {
    extension->extend(portal, previous, f, run);
    if (context.cancelled()) return std::nullopt;
  }
  const size_t problems = countAbove(run.findings, Severity::kLow);
  run.facts.emplace_back("content.pages", std::to_string(pages.size()));
  run.facts.emplace_back("content.findings", std::to_string(problems));
  run.facts.emplace_back("content.status", problems == 0 ? "clean" : "findings");
  return run;
}

std::optional<PortalRun> CheckRunner::tls(const PortalSpec& portal, const RunContext& context) {
  PortalRun run;
  auto parts = parseUrl(portal.url);
  if (!parts.ok()) {
    run.findings.push_back(errorFinding("tls", portal.url, parts.error()));
    run.facts = {{"tls.status", "error"}};
    return run;
  }
  if (parts->scheme != "https") {
    run.findings.push_back(Finding{"tls",
                                   "no_https",
                                   Severity::kMedium,
                                   portal.url,
                                   "the portal is registered with a plain http:// address (no TLS)",
                                   {}});
    run.facts = {{"tls.status", "no_https"}};
    return run;
  }
  TlsOptions t;
  t.allowPrivate = portal.allowPrivate;
  t.caFile = o_.caFile;
  t.timeoutMs = o_.connectTimeoutMs;
  t.beforeRequest = context.gate;
  const TlsCheck check(t, fetchOptions(portal, context));
  auto report = check.probe(Target{portal.url, portal.allowedDomains, ""});
  if (context.cancelled()) return std::nullopt;
  if (!report.ok()) {
    run.findings.push_back(
        Finding{"tls", "unreachable", Severity::kHigh, portal.url, "TLS probe failed: " + report.error().message, {}});
    run.facts = {{"tls.status", "unreachable"}};
    return run;
  }
  run.findings = tlsFindings(*report, portal.url);
  std::string offered;
  for (const auto& p : report->protocols)
    if (p.offered) offered += (offered.empty() ? "" : ",") + p.name;
  run.facts = {{"tls.status", "ok"},
               {"tls.grade", report->grade},
               {"tls.score", std::to_string(report->score)},
               {"tls.protocols", offered},
               {"tls.mozilla_intermediate", report->mozillaIntermediate ? "pass" : "fail"}};
  if (report->certificate) {
    run.facts.emplace_back("tls.cert_sha256", report->certificate->sha256);
    run.facts.emplace_back("tls.cert_not_after", report->certificate->notAfter);
    run.facts.emplace_back("tls.cert_days_left", std::to_string(report->certificate->daysLeft));
  }
  return run;
}

}  // namespace vigil::webmon
