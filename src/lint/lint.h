#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rule_catalog.h"
#include "lint/diagnostics.h"
#include "lint/workspace.h"

namespace hostward::lint {

struct LintOptions {
  std::vector<std::string> paths;  // folders or files; "." when empty
  ReadLimits limits;
  size_t max_files = 100000;
};

struct LintRun {
  Diagnostics diag;
  std::vector<std::unique_ptr<Workspace>> workspaces;  // own the files findings point into
  size_t files = 0;
  size_t bytes = 0;
};

// Finds the CI and container files under each path and lints them and what
// they reference. Bad files become errors; the run goes on.
std::unique_ptr<LintRun> run_lint(const LintOptions& options);

// The kind of a file by its path ("a/.github/workflows/ci.yml"), if linted.
std::optional<FileKind> classify_path(const std::string& rel);

void register_rules(RuleCatalog& catalog);

}  // namespace hostward::lint
