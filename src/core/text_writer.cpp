#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/text_sanitize.h"
#include "core/writers.h"

namespace hostward {

namespace {

constexpr size_t kIndent = 12;

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string severity_label(Severity s, const Style& style) {
  std::string label = upper(to_string(s));
  const std::string padded = fmt::format("{:<10}", label);
  return style.severity(s, label) + padded.substr(label.size());
}

// One block per rule: the label once, a line per finding, the fix once.
void write_rule_group(std::string& out, const std::vector<const Finding*>& group,
                      const Style& style, size_t width) {
  const Finding& first = *group.front();
  Severity worst = first.severity;
  for (const Finding* f : group) worst = std::max(worst, f->severity);
  out += "  " + severity_label(worst, style) + style.bold(first.rule) + "\n";
  for (const Finding* f : group) {
    std::string title = sanitize_for_terminal(f->title);
    if (f->severity != worst) title += " (" + std::string(to_string(f->severity)) + ")";
    out += std::string(kIndent, ' ') + wrap(title, width, kIndent + 2, kIndent) + "\n";
  }
  if (!first.remediation.empty()) {
    out += std::string(kIndent, ' ') +
           style.dim(wrap("fix: " + first.remediation, width, kIndent, kIndent)) + "\n";
  }
}

bool by_severity_then_rule(const Finding* a, const Finding* b) {
  if (a->severity != b->severity) return a->severity > b->severity;
  if (a->rule != b->rule) return a->rule < b->rule;
  return a->title < b->title;
}

// Findings grouped by rule, the groups ordered by their worst severity.
void write_findings(std::string& out, std::vector<const Finding*> findings, const Style& style,
                    size_t width) {
  std::sort(findings.begin(), findings.end(), by_severity_then_rule);
  std::vector<std::vector<const Finding*>> groups;
  std::map<std::string, size_t> index;
  for (const Finding* f : findings) {
    auto [it, fresh] = index.emplace(f->rule, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(f);
  }
  for (const auto& g : groups) write_rule_group(out, g, style, width);
}

}  // namespace

std::string wrap(std::string_view text, size_t width, size_t indent, size_t first_used) {
  std::string out;
  size_t used = first_used;
  size_t pos = 0;
  bool line_empty = true;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    const size_t w = display_width(word);
    if (!line_empty && used + 1 + w > width) {
      out += "\n" + std::string(indent, ' ');
      used = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++used;
    }
    out.append(word);
    used += w;
    line_empty = false;
    pos = end + 1;
  }
  return out;
}

std::string write_text(const Report& report, const Style& style, size_t width) {
  std::string out;
  out += style.bold("hostward") + fmt::format(" {} of {} · {} · {} · {} ms\n", report.host.command,
                                              sanitize_for_terminal(report.host.hostname),
                                              sanitize_for_terminal(report.host.kernel),
                                              report.host.started_at, report.host.duration_ms);

  std::map<std::string, std::vector<const Finding*>> by_incident;
  std::vector<const Finding*> loose;
  for (const auto& f : report.findings) {
    if (f.incident.empty())
      loose.push_back(&f);
    else
      by_incident[f.incident].push_back(&f);
  }

  std::vector<const Incident*> incidents;
  for (const auto& i : report.incidents) incidents.push_back(&i);
  std::stable_sort(incidents.begin(), incidents.end(),
                   [](const Incident* a, const Incident* b) { return a->severity > b->severity; });
  for (const Incident* inc : incidents) {
    out += "\n" + style.severity(inc->severity, upper(to_string(inc->severity))) + " " +
           style.bold("incident " + inc->id) + "\n";
    out += "  " + wrap(sanitize_for_terminal(inc->summary), width, 2, 2) + "\n";
    for (const auto& line : inc->tree) {
      out += "  " + truncate_columns(sanitize_for_terminal(line), width - 2) + "\n";
    }
    out += "\n";
    write_findings(out, by_incident[inc->id], style, width);
  }

  if (!loose.empty()) out += "\n";
  write_findings(out, loose, style, width);

  if (!report.errors.empty()) {
    out += "\n" + style.bold("Could not check") + "\n";
    for (const auto& e : report.errors) {
      out += "  " + wrap(sanitize_for_terminal(e.collector + ": " + e.message), width, 4, 2) + "\n";
    }
  }

  if (report.hardening.present) {
    int passed = 0, failed = 0, other = 0;
    for (const auto& c : report.hardening.checks) {
      if (c.status == "passed")
        ++passed;
      else if (c.status == "failed")
        ++failed;
      else
        ++other;
    }
    out += fmt::format(
        "\nHardening score {}: {} check{} passed, {} failed, {} not applicable "
        "or not judged.\n",
        report.hardening.score ? fmt::format("{}/100", *report.hardening.score)
                               : std::string("none"),
        passed, passed == 1 ? "" : "s", failed, other);
  }

  std::array<int, 5> counts{};
  for (const auto& f : report.findings) ++counts[static_cast<int>(f.severity)];
  if (report.findings.empty()) {
    out += "\nNo findings.\n";
  } else {
    std::string line;
    for (int s = 4; s >= 0; --s) {
      if (counts[s] == 0) continue;
      if (!line.empty()) line += ", ";
      line += fmt::format("{} {}", counts[s], to_string(static_cast<Severity>(s)));
    }
    out += fmt::format("\n{} finding{} ({}) in {} incident{}.\n", report.findings.size(),
                       report.findings.size() == 1 ? "" : "s", line, report.incidents.size(),
                       report.incidents.size() == 1 ? "" : "s");
  }
  return out;
}

}  // namespace hostward
