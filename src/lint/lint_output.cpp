#include "lint/lint_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/text_sanitize.h"

namespace hostward::lint {

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// The line for people: control characters out, tabs as one space, a window
// of at most 76 columns around the caret; the caret's place in columns.
std::pair<std::string, size_t> visible(std::string_view line, int column) {
  std::string tabs(line);
  for (auto& c : tabs)
    if (c == '\t') c = ' ';
  const std::string clean = sanitize_for_terminal(tabs);
  std::vector<std::string_view> chars;  // one entry per code point
  for (size_t i = 0; i < clean.size();) {
    size_t n = 1;
    while (i + n < clean.size() && (static_cast<unsigned char>(clean[i + n]) & 0xC0) == 0x80) ++n;
    chars.push_back(std::string_view(clean).substr(i, n));
    i += n;
  }
  size_t caret = std::min(static_cast<size_t>(std::max(column, 1) - 1), chars.size());
  size_t start = 0;
  std::string out;
  if (chars.size() > 76 && caret > 40) {
    start = caret - 40;
    out = "…";
  }
  const size_t stop = std::min(chars.size(), start + 76);
  for (size_t i = start; i < stop; ++i) out.append(chars[i]);
  return {out, caret - start + (start > 0 ? 1 : 0)};
}

}  // namespace

void sort_findings(LintRun& run) {
  auto& f = run.diag.findings();
  // A secret is hidden on its line in every finding that shows the line.
  using Key = std::pair<const SourceFile*, int>;
  std::map<Key, std::vector<std::string>> values;
  std::map<Key, std::vector<Span>> spans;
  for (const auto& x : f) {
    const Key key{x.loc.file, x.loc.file->position(x.loc.offset).line};
    for (const auto& s : x.secrets) values[key].push_back(s);
    for (const auto& s : x.secret_spans) spans[key].push_back(s);
  }
  for (auto& x : f) {
    const Key key{x.loc.file, x.loc.file->position(x.loc.offset).line};
    if (auto it = values.find(key); it != values.end()) x.secrets = it->second;
    if (auto it = spans.find(key); it != spans.end()) x.secret_spans = it->second;
  }
  std::stable_sort(f.begin(), f.end(), [](const LintFinding& a, const LintFinding& b) {
    const auto pa = a.loc.file->position(a.loc.offset);
    const auto pb = b.loc.file->position(b.loc.offset);
    return std::tie(a.loc.file->path(), pa.line, pa.column, a.rule) <
           std::tie(b.loc.file->path(), pb.line, pb.column, b.rule);
  });
}

Report lint_report(const LintRun& run, const RuleCatalog& catalog, HostInfo host) {
  Report report;
  report.host = std::move(host);
  for (const auto& lf : run.diag.findings()) {
    const RuleInfo* info = catalog.find(lf.rule);
    if (info == nullptr) continue;
    const auto pos = lf.loc.file->position(lf.loc.offset);
    const std::string line =
        shown_line(lf, lf.loc.file->line_text(pos.line), lf.loc.file->offset_of(pos.line, 1));
    nlohmann::json subject = {{"kind", "file"},
                              {"path", lf.loc.file->path()},
                              {"line", pos.line},
                              {"column", pos.column},
                              {"snippet", line}};
    nlohmann::json evidence = lf.evidence;
    evidence["fixable"] = lf.fix.has_value();
    const std::string identity = lf.loc.file->path() + "\n" + trimmed(line) + "\n" + lf.message;
    report.findings.push_back(
        make_finding(*info, lf.severity, lf.message, subject, evidence, "", identity));
  }
  for (const auto& e : run.diag.errors())
    report.errors.push_back({"lint", e.line > 0
                                         ? fmt::format("{}:{}: {}", e.path, e.line, e.message)
                                         : fmt::format("{}: {}", e.path, e.message)});
  return report;
}

std::string lint_text(const LintRun& run, const Style& style) {
  std::string out;
  std::array<int, 5> counts{};
  for (const auto& f : run.diag.findings()) {
    const auto pos = f.loc.file->position(f.loc.offset);
    ++counts[static_cast<int>(f.severity)];
    out += style.bold(sanitize_for_terminal(f.loc.file->path()) + ":" + std::to_string(pos.line) +
                      ":" + std::to_string(pos.column) + ":");
    out += " " + style.severity(f.severity, to_string(f.severity)) + " " + f.rule + " " +
           sanitize_for_terminal(f.message) + (f.fix ? " [fixable]" : "") + "\n";
    int column = pos.column;
    const std::string redacted =
        shown_line(f, f.loc.file->line_text(pos.line), f.loc.file->offset_of(pos.line, 1), &column);
    const auto [line, caret] = visible(redacted, column);
    out += "    " + line + "\n";
    out += "    " + std::string(caret, ' ') + style.severity(f.severity, "^") + "\n";
  }
  for (const auto& e : run.diag.errors()) {
    out += style.bold(sanitize_for_terminal(e.path) +
                      (e.line > 0 ? ":" + std::to_string(e.line) : "") + ":");
    out += " " + style.paint("error", "31") + " " + sanitize_for_terminal(e.message) + "\n";
  }
  const size_t total = run.diag.findings().size();
  std::string summary = fmt::format("{} finding{}", total, total == 1 ? "" : "s");
  if (total > 0) {
    std::vector<std::string> parts;
    for (int s = 4; s >= 0; --s)
      if (counts[s] > 0)
        parts.push_back(fmt::format("{} {}", counts[s], to_string(static_cast<Severity>(s))));
    summary += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  }
  summary += fmt::format(" in {} file{}", run.files, run.files == 1 ? "" : "s");
  if (!run.diag.errors().empty())
    summary += fmt::format(", {} error{}", run.diag.errors().size(),
                           run.diag.errors().size() == 1 ? "" : "s");
  out += summary + "\n";
  return out;
}

}  // namespace hostward::lint
