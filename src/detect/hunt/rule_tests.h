// `vigil rules test`: rule regression cases, two layouts.
//
// 1. SigmaHQ `regression_data`: a directory per case holding `info.yml`:
//      rule_metadata: [ {id: <rule id>, title: ...} ]
//      regression_tests_info:
//        - name: Positive Detection Test
//          type: evtx                     # only evtx is read (the .json files are the same
//          path: regression_data/.../<id>.evtx   # records as evtx_dump prints them)
//          match_count: 1                 # optional
//    The events file is found next to info.yml (by its file name) or under an ancestor
//    directory (the path is relative to the SigmaHQ repository root). The case passes when each
//    rule of rule_metadata matches at least `match_count` events (at least 1 when absent: SigmaHQ
//    checks that the rule fires; regression_index.tsv calls the figure match_count_min).
//    An entry of another type is reported as skipped, not passed.
//
// 2. vigil's own case files (any *.yml with a top-level `cases:` list; docs/detection-rules.md):
//      cases:
//        - name: w3wp.exe starts cmd.exe
//          input: events.jsonl            # a file next to the case file (evtx, jsonl or syslog,
//          format: jsonl                  #   detected when `format` is absent), and/or
//          events: [ {winlog.channel: Security, winlog.event_id: 4624, ...} ]  # inline, as JSON lines
//          lines: [ '<raw syslog or web access line>' ]                          # inline, as syslog
//          expect:
//            - rule: <rule id>
//              count: 1                   # exactly; or min: / max:
//            - rule: <rule id>
//              count: 0                   # must not match
//    Every rule named in `expect` must be loaded; `count: 0` cases are the "must not match" ones.
//    A rule's count is the events it matched after the meta filter rules, whether or not it is
//    reported alone (a rule that only feeds a correlation still counts); a correlation's id counts
//    its firings over the case's events, taken as one stream in the order input, events, lines
//    (windows still open at the end fire then). Each case has its own correlation state.
//
// Every case is one CaseResult (pass/fail/skip with its reason). A case file that does not parse
// is a failed case naming the file and line; a path that is neither is an error.
//
// Thread-safety: single-threaded; the DetectionSet and LogReaders are only read.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/hunt/log_file.h"
#include "detect/sigma/detection.h"

namespace vigil::detect::hunt {

struct CaseResult {
  enum class Outcome { kPass, kFail, kSkip };
  Outcome outcome = Outcome::kFail;
  std::string where;   // the case file (and the case's name for vigil cases)
  std::string reason;  // what was expected and what happened
};

struct TestTotals {
  size_t passed = 0, failed = 0, skipped = 0;
};

// Runs every case found under `paths` (files or directories, walked recursively in path order),
// calling `onCase` as each completes. Fails only when a path does not exist or holds no case.
Result<TestTotals> runRuleTests(const sigma::DetectionSet& rules, const LogReaders& readers,
                                const std::vector<std::string>& paths,
                                const std::function<void(const CaseResult&)>& onCase);

}  // namespace vigil::detect::hunt
