// vigil: the command line. Parses flags with CLI11, loads and validates the Config, and runs one
// command from app/commands.h.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "config/config.h"

int main(int argc, char** argv) {
  CLI::App cli{"vigil: security monitoring, incident response and compliance for a province"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global options (--config, --data-dir) may follow the command
  std::string configFile;
  vigil::ConfigOverrides flags;
  cli.add_option("-c,--config", configFile, "TOML configuration file")->envname("VIGIL_CONFIG");
  auto flagOption = [&](CLI::App* app, const std::string& name, const std::string& key, const std::string& help) {
    app->add_option_function<std::string>(
        name, [&flags, key](const std::string& v) { flags[key] = v; }, help);
  };
  flagOption(&cli, "--data-dir", "store.data_dir", "data directory (default ./var)");

  auto* serve = cli.add_subcommand("serve", "run the server");
  flagOption(serve, "--listen", "server.listen", "address:port to listen on (default 127.0.0.1:8080)");
  flagOption(serve, "--web-root", "server.web_root", "directory of the built web UI");
  flagOption(serve, "--port-file", "server.port_file", "write the bound port to this file once listening");
  flagOption(serve, "--catalog-dir", "server.catalog_dir", "directory of the rule catalogs (regimes/, calendar/)");
  flagOption(serve, "--log-format", "log.format", "text or json");
  flagOption(serve, "--cert", "tls.cert_file", "TLS certificate (PEM); implies --tls");
  flagOption(serve, "--key", "tls.key_file", "TLS private key (PEM)");
  flagOption(serve, "--syslog-udp", "collect.syslog_udp", "host:port of the UDP syslog listener (empty: off)");
  flagOption(serve, "--syslog-tcp", "collect.syslog_tcp", "host:port of the TCP syslog listener (empty: off)");
  flagOption(serve, "--syslog-tls", "collect.syslog_tls", "host:port of the TLS syslog listener (empty: off)");
  flagOption(serve, "--relp", "collect.relp", "host:port of the RELP listener (empty: off)");
  bool tls = false, insecure = false;
  serve->add_flag("--tls", tls, "serve HTTPS (a self-signed certificate is made when none is given)");
  serve->add_flag("--allow-insecure-public", insecure, "allow plain HTTP on a non-loopback address");

  std::string file;
  auto* backup = cli.add_subcommand("backup", "write a consistent copy of the store to FILE (online)");
  backup->add_option("file", file, "backup file to write")->required();
  auto* restore = cli.add_subcommand("restore", "replace the store with a backup FILE (server stopped)");
  restore->add_option("file", file, "backup file to read")->required();
  auto* audit = cli.add_subcommand("audit", "audit log commands");
  audit->require_subcommand(1);
  audit->fallthrough();
  auto* verify = audit->add_subcommand("verify", "verify the audit log's hash chain");
  auto* user = cli.add_subcommand("user", "account recovery from the server's console");
  user->require_subcommand(1);
  user->fallthrough();
  std::string username;
  auto* recover = user->add_subcommand(
      "recover", "enable and unlock USERNAME and print a one-time password (e.g. a locked-out administrator)");
  recover->add_option("username", username, "the account's user name")->required();
  vigil::app::ImportOptions importOptions;
  auto* import =
      cli.add_subcommand("import", "read log files (syslog, JSON lines, EVTX) into the event store (server stopped)");
  import->add_option("--format", importOptions.format, "auto, syslog, jsonl or evtx (default auto)");
  import->add_option("--org", importOptions.orgId, "agency id the events belong to (default 1, the province)");
  import->add_option("--source", importOptions.sourceId, "declared log source id (default 0, undeclared)");
  import->add_option("files", importOptions.files, "files to read")->required();
  vigil::app::SearchOptions searchOptions;
  auto* search = cli.add_subcommand("search", "search the event store (server stopped)");
  search->add_option("--from", searchOptions.from, "RFC 3339 start time (inclusive)");
  search->add_option("--to", searchOptions.to, "RFC 3339 end time (exclusive)");
  search->add_option("--limit", searchOptions.limit, "most events to print (default 100, at most 10000)");
  search->add_option("--format", searchOptions.format, "table, jsonl or csv (default table)");
  search->add_option("query", searchOptions.query, "query (docs: src/eventstore/query.h); empty: every event");
  vigil::app::HuntCommandOptions huntOptions;
  auto* hunt = cli.add_subcommand("hunt", "run Sigma rules over EVTX, JSON-lines or syslog files (offline)");
  hunt->add_option("--rules", huntOptions.rules, "rule directory (repeatable; default: the shipped rules)")
      ->allow_extra_args(false);
  hunt->add_option("--format", huntOptions.format, "auto, evtx, jsonl or syslog (default auto: per file)");
  hunt->add_option("--threads", huntOptions.threads, "worker threads (default: the hardware threads)");
  hunt->add_option("--output", huntOptions.output, "table, jsonl or csv (default table)");
  hunt->add_option("--out", huntOptions.outFile, "write the matches to FILE instead of stdout");
  hunt->add_option("--min-level", huntOptions.minLevel, "lowest rule level kept: informational ... critical");
  hunt->add_option("--logsource-product", huntOptions.product, "only rules of this logsource product (e.g. windows)");
  hunt->add_option("paths", huntOptions.paths, "files and directories (walked recursively)")->required();
  hunt->footer(
      "Output is ordered by file, then record, for any --threads. Exit code: 0 no match, 1 matches, 2 errors "
      "(bad flags or rules directory, a path or file that could not be read). docs/detection-rules.md");
  auto* rulesCmd = cli.add_subcommand("rules", "Sigma rule tools");
  rulesCmd->require_subcommand(1);
  rulesCmd->fallthrough();
  vigil::app::RulesTestOptions rulesTestOptions;
  auto* rulesTest =
      rulesCmd->add_subcommand("test", "run rule regression cases (SigmaHQ regression_data, vigil cases)");
  rulesTest->add_option("--rules", rulesTestOptions.rules, "rule directory (repeatable; default: the shipped rules)")
      ->allow_extra_args(false);
  rulesTest->footer("Exit code: 0 every case passed, 1 a case failed, 2 errors. Case format: docs/detection-rules.md");
  rulesTest->add_flag("--failures-only", rulesTestOptions.failuresOnly, "print only the failed cases");
  rulesTest->add_option("cases", rulesTestOptions.cases, "case files or directories (default: the shipped cases)");
  vigil::app::WebcheckOptions webcheckOptions;
  auto* webcheck = cli.add_subcommand(
      "webcheck", "check web portals once: TLS, headers, hidden spam, cloaking, exposure, defacement signatures");
  webcheck->add_flag("--json", webcheckOptions.json, "print JSON lines instead of a table");
  webcheck->add_flag("--allow-private", webcheckOptions.allowPrivate, "allow loopback and private addresses");
  webcheck->add_option("--ca-file", webcheckOptions.caFile, "extra trusted CA certificates (PEM)");
  webcheck->add_option("--timeout", webcheckOptions.timeoutSeconds, "seconds per request (default 20)");
  webcheck->add_option("--allow-domain", webcheckOptions.allowedDomains, "outbound domain the portal may link to");
  webcheck->add_option("--contact", webcheckOptions.contact, "contact URL put in the User-Agent of the probes")
      ->envname("VIGIL_WEBMON_CONTACT");
  webcheck->add_option("--crawl", webcheckOptions.crawlPages,
                       "also crawl up to N pages of each site (sitemaps and links) for injected pages");
  webcheck->add_option("--crawl-delay", webcheckOptions.crawlDelayMs,
                       "milliseconds between two crawl requests (default 1000)");
  webcheck->add_option("urls", webcheckOptions.urls, "http:// or https:// URLs")->required();
  auto* version = cli.add_subcommand("version", "print the version");
  auto* evidence = cli.add_subcommand("evidence", "incident evidence commands");
  evidence->require_subcommand(1);
  std::string bundleFile;
  auto* verifyBundle = evidence->add_subcommand(
      "verify-bundle", "check an evidence export bundle (ZIP) against its manifest; exit 1 when tampered");
  verifyBundle->add_option("file", bundleFile, "the bundle")->required();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help exits 0; a usage error (unknown flag, missing argument) prints why and exits 2, as
    // every other error of the commands does.
    const int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (version->parsed()) {
    std::cout << "vigil " << vigil::app::kVersion << "\n";
    return 0;
  }
  if (verifyBundle->parsed()) return vigil::app::evidenceVerifyBundle(bundleFile);
  if (tls || flags.count("tls.cert_file")) flags["tls.enabled"] = "true";
  if (insecure) flags["server.allow_insecure_public"] = "true";
  auto config = vigil::loadConfig(configFile, vigil::processEnvironment(), flags);
  if (!config.ok()) {
    std::cerr << "vigil: configuration error: " << config.error().message << "\n";
    return 2;
  }
  if (serve->parsed()) return vigil::app::serve(*config, argv[0]);
  if (backup->parsed()) return vigil::app::backup(*config, file);
  if (restore->parsed()) return vigil::app::restore(*config, file);
  if (verify->parsed()) return vigil::app::auditVerify(*config);
  if (recover->parsed()) return vigil::app::userRecover(*config, username);
  if (import->parsed()) return vigil::app::importFiles(*config, argv[0], importOptions);
  if (search->parsed()) return vigil::app::searchEvents(*config, searchOptions);
  if (hunt->parsed()) return vigil::app::huntFiles(*config, argv[0], huntOptions);
  if (rulesTest->parsed()) return vigil::app::testRules(*config, argv[0], rulesTestOptions);
  if (webcheck->parsed()) return vigil::app::webcheck(*config, argv[0], webcheckOptions);
  return 2;
}
