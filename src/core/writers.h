#pragma once
#include <string>

#include "core/finding.h"
#include "core/rule_catalog.h"
#include "core/terminal.h"

namespace hostward {

// The hostward/v1 JSON report (schema in docs/json-report.md), pretty-printed.
std::string write_json(const Report& report);

// The report for people: incidents first, then findings grouped by severity,
// then collector errors and a one-line summary; wrapped at `width` columns.
std::string write_text(const Report& report, const Style& style, size_t width = 80);

// SARIF 2.1.0 for code scanning: one run, `rules` as the driver's rules, a
// location for every finding whose subject is a file ({"kind":"file","path",
// "line","column"}), paths relative to the working directory.
std::string write_sarif(const Report& report, const std::vector<RuleInfo>& rules);

// Word-wrap `text` to `width` columns; each line after the first gets `indent` spaces.
std::string wrap(std::string_view text, size_t width, size_t indent, size_t first_used = 0);

}  // namespace hostward
