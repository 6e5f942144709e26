#include "lint/diagnostics.h"

namespace hostward::lint {

void Diagnostics::add(LintFinding f) {
  if (!seen_.emplace(f.loc.file, f.loc.offset, f.rule, f.message).second) return;
  findings_.push_back(std::move(f));
}

void Diagnostics::error(std::string path, int line, std::string message) {
  errors_.push_back({std::move(path), line, std::move(message)});
}

}  // namespace hostward::lint
