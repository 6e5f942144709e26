#include "lint/lint_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

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
// of at most 76 columns around the caret.
std::pair<std::string, size_t> shown_line(std::string_view line, int column) {
  std::string text;
  size_t caret = 0;
  int col = 1;
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) != 0x80) {
      if (col == column) caret = text.size();
      ++col;
    }
    text += (c == '\t') ? ' ' : static_cast<char>(c);
  }
  if (column >= col) caret = text.size();
  text = sanitize_for_terminal(text);
  caret = std::min(caret, text.size());
  if (text.size() > 76) {
    const size_t start = caret > 40 ? caret - 40 : 0;
    std::string window = (start > 0 ? "…" : "") + text.substr(start, 76);
    caret = caret - start + (start > 0 ? 1 : 0);
    text = window;
  }
  return {text, caret};
}

}  // namespace

void sort_findings(LintRun& run) {
  auto& f = run.diag.findings();
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
    const std::string line = std::string(lf.loc.file->line_text(pos.line));
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
    const auto [line, caret] = shown_line(f.loc.file->line_text(pos.line), pos.column);
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
