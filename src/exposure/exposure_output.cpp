#include "exposure/exposure_output.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/text_sanitize.h"
#include "core/writers.h"
#include "exposure/network_rules.h"

namespace hostward::exposure {

namespace {

int order(const ExposureRow& r) {
  if (r.local_only) return 4;
  switch (r.verdict.reach) {
    case Reach::reachable:
      return 0;
    case Reach::unknown:
      return 1;
    case Reach::restricted:
      return 2;
    case Reach::blocked:
      return 3;
  }
  return 1;
}

std::string paint_verdict(const Style& style, const ExposureRow& r) {
  const std::string label = verdict_label(r);
  if (r.local_only) return style.dim(label);
  switch (r.verdict.reach) {
    case Reach::reachable:
      return style.paint(label, "1;31");
    case Reach::unknown:
      return style.paint(label, "33");
    case Reach::restricted:
      return style.paint(label, "36");
    case Reach::blocked:
      return style.paint(label, "32");
  }
  return label;
}

std::string who(const ExposureRow& r) {
  if (r.process.empty()) return r.published_from.empty() ? "?" : "(no proxy)";
  return fmt::format("{} ({})", r.process, r.pid);
}

}  // namespace

nlohmann::json row_to_json(const ExposureRow& row) {
  nlohmann::json j = listener_subject(row);
  j.erase("kind");
  if (row.pid == 0) j["pid"] = nullptr;
  j["dual_stack"] = row.dual_stack;
  j["service"] = row.service.name;
  j["service_class"] = class_name(row.service.cls);
  j["verdict"] = verdict_label(row);
  j["firewall"] = verdict_evidence(row.verdict);
  if (!row.auth_env.empty()) j["auth_env"] = row.auth_env;
  return j;
}

std::string render_exposure(const std::vector<ExposureRow>& input, const Style& style,
                            size_t width) {
  std::vector<const ExposureRow*> rows;
  for (const auto& r : input) rows.push_back(&r);
  std::stable_sort(rows.begin(), rows.end(), [](const ExposureRow* a, const ExposureRow* b) {
    return order(*a) < order(*b);
  });
  std::string out;
  out += style.bold(fmt::format("{:<28} {:<30} {}", "LISTENER", "PROCESS (PID)", "VERDICT")) + "\n";
  for (const ExposureRow* r : rows) {
    const std::string where = sanitize_for_terminal(endpoint_text(*r));
    const std::string proc = sanitize_for_terminal(who(*r));
    out += fmt::format("{:<28} {:<30} {}\n", where.size() > 28 ? where.substr(0, 28) : where,
                       proc.size() > 30 ? proc.substr(0, 30) : proc, paint_verdict(style, *r));
    std::vector<std::string> notes;
    if (!r->service.name.empty())
      notes.push_back(fmt::format("{} ({})", r->service.name, class_name(r->service.cls)));
    if (!r->published_from.empty()) {
      std::string p = "published from " + r->published_from;
      if (!r->served_by.empty()) p += fmt::format(" ({} {})", r->served_by, r->served_by_pid);
      if (!r->image.empty()) p += ", image " + r->image;
      notes.push_back(p);
    } else if (!r->container.empty()) {
      notes.push_back("in container " + r->container);
    }
    for (const auto& [k, v] : r->auth_env) notes.push_back(k + "=" + v);
    if (!r->local_only) {
      const Verdict& v = r->verdict;
      std::string how = v.reason;
      if (!v.translated_to.empty()) how += ", after DNAT to " + v.translated_to;
      if (!v.in_interface.empty()) how += " (from " + v.in_interface + ")";
      if (!v.allowed_from.empty()) {
        std::string list;
        for (const auto& a : v.allowed_from) list += (list.empty() ? "" : ", ") + a;
        how += "; allowed from " + list;
      }
      notes.push_back(how);
      if (!v.path.empty()) {
        const Step& s = v.path.back();
        notes.push_back(s.line ? fmt::format("decided by {} line {}: {}", s.table, s.line, s.rule)
                               : fmt::format("decided by the {} policy of {} {}", s.rule.substr(7),
                                             s.table, s.chain));
      }
    }
    for (const auto& n : notes) out += "    " + wrap(sanitize_for_terminal(n), width, 6, 4) + "\n";
  }
  size_t open = 0;
  for (const ExposureRow* r : rows)
    if (!r->local_only && r->verdict.reach == Reach::reachable) ++open;
  out += fmt::format("\n{} listener{}, {} reachable from the internet\n", rows.size(),
                     rows.size() == 1 ? "" : "s", open);
  return out;
}

}  // namespace hostward::exposure
