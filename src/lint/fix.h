#pragma once
#include <string>
#include <vector>

#include "lint/diagnostics.h"

namespace hostward::lint {

// The new text of one file once the fixes of its findings are applied.
struct FileFix {
  const SourceFile* file = nullptr;
  std::vector<TextEdit> edits;  // sorted, none overlapping
  std::string text;
};

// Groups the fixes of `findings` by file; an edit reached twice (an alias)
// is applied once, and one overlapping an earlier edit is left out.
std::vector<FileFix> plan_fixes(const std::vector<LintFinding>& findings);

// A unified diff (3 lines of context) from the file to `fix.text`.
std::string unified_diff(const FileFix& fix);

// Replaces the file's content atomically (a new file renamed over it, mode
// kept); false with a message when it cannot.
bool write_fix(const FileFix& fix, std::string& error);

}  // namespace hostward::lint
