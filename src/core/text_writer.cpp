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
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string severity_label(Severity s, const Style& style) {
  std::string label = upper(to_string(s));
  const std::string padded = fmt::format("{:<10}", label);
  return style.severity(s, label) + padded.substr(label.size());
}

void write_finding(std::string& out, const Finding& f, const Style& style, size_t width) {
  out += "  " + severity_label(f.severity, style) + style.bold(f.rule) + "\n";
  out += std::string(kIndent, ' ') +
         wrap(sanitize_for_terminal(f.title), width, kIndent, kIndent) + "\n";
  if (!f.remediation.empty()) {
    out += std::string(kIndent, ' ') +
           style.dim(wrap("fix: " + f.remediation, width, kIndent, kIndent)) + "\n";
  }
}

bool by_severity_then_rule(const Finding* a, const Finding* b) {
  if (a->severity != b->severity) return a->severity > b->severity;
  if (a->rule != b->rule) return a->rule < b->rule;
  return a->title < b->title;
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
  out += style.bold("hostward") +
         fmt::format(" scan of {} · {} · {} · {} ms\n", sanitize_for_terminal(report.host.hostname),
                     sanitize_for_terminal(report.host.kernel), report.host.started_at,
                     report.host.duration_ms);

  std::map<std::string, std::vector<const Finding*>> by_incident;
  std::vector<const Finding*> loose;
  for (const auto& f : report.findings) {
    if (f.incident.empty()) loose.push_back(&f);
    else by_incident[f.incident].push_back(&f);
  }

  std::vector<const Incident*> incidents;
  for (const auto& i : report.incidents) incidents.push_back(&i);
  std::stable_sort(incidents.begin(), incidents.end(),
                   [](const Incident* a, const Incident* b) { return a->severity > b->severity; });
  for (const Incident* inc : incidents) {
    out += "\n" + style.severity(inc->severity, upper(to_string(inc->severity))) + " " +
           style.bold("incident " + inc->id) + ": " +
           wrap(sanitize_for_terminal(inc->summary), width, 2,
                upper(to_string(inc->severity)).size() + inc->id.size() + 12) +
           "\n";
    for (const auto& line : inc->tree) {
      out += "  " + truncate_columns(sanitize_for_terminal(line), width - 2) + "\n";
    }
    auto& members = by_incident[inc->id];
    std::sort(members.begin(), members.end(), by_severity_then_rule);
    for (const Finding* f : members) write_finding(out, *f, style, width);
  }

  std::sort(loose.begin(), loose.end(), by_severity_then_rule);
  if (!loose.empty()) out += "\n";
  for (const Finding* f : loose) write_finding(out, *f, style, width);

  if (!report.errors.empty()) {
    out += "\n" + style.bold("Could not check") + "\n";
    for (const auto& e : report.errors) {
      out += "  " + wrap(sanitize_for_terminal(e.collector + ": " + e.message), width, 4, 2) + "\n";
    }
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
