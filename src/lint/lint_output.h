#pragma once
#include <string>

#include "core/finding.h"
#include "core/rule_catalog.h"
#include "core/terminal.h"
#include "lint/lint.h"

namespace hostward::lint {

// Sorts the run's findings by file, line, column and rule; outputs rely on it.
void sort_findings(LintRun& run);

// The hostward/v1 report: one finding per LintFinding, its subject the file
// position ({"kind":"file","path","line","column","snippet"}).
Report lint_report(const LintRun& run, const RuleCatalog& catalog, HostInfo host);

// Like a compiler: "path:line:col: severity rule-id message", the line and a
// caret under the column; then errors and a summary.
std::string lint_text(const LintRun& run, const Style& style);

}  // namespace hostward::lint
