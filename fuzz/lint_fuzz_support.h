#pragma once
// Checks shared by the lint fuzz targets: every finding and every fix points
// inside its file, and every output can be produced from them.
#include <cstdlib>

#include "lint/diagnostics.h"
#include "lint/fix.h"

inline void check_lint_findings(const hostward::lint::Diagnostics& diag) {
  for (const auto& f : diag.findings()) {
    if (f.loc.file == nullptr || f.loc.offset > f.loc.file->text().size()) abort();
    const auto pos = f.loc.file->position(f.loc.offset);
    (void)hostward::lint::shown_line(f, f.loc.file->line_text(pos.line),
                                     f.loc.file->offset_of(pos.line, 1));
    if (f.fix && f.fix->offset + f.fix->length > f.fix->file->text().size()) abort();
  }
  for (const auto& fix : hostward::lint::plan_fixes(diag.findings()))
    (void)hostward::lint::unified_diff(fix);
}
