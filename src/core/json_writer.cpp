#include <hostward/version.h>

#include <array>

#include "core/writers.h"

namespace hostward {

namespace {

using ojson = nlohmann::ordered_json;

ojson finding_json(const Finding& f) {
  ojson j;
  j["rule"] = f.rule;
  j["severity"] = std::string(to_string(f.severity));
  j["title"] = f.title;
  j["subject"] = f.subject;
  j["evidence"] = f.evidence;
  j["remediation"] = f.remediation;
  j["attack"] = f.attack;
  j["fingerprint"] = f.fingerprint;
  if (!f.incident.empty()) j["incident"] = f.incident;
  return j;
}

}  // namespace

std::string write_json(const Report& report) {
  ojson root;
  root["schema"] = "hostward/v1";
  root["tool"] = {{"name", "hostward"}, {"version", kVersion}};
  root["host"] = {{"hostname", report.host.hostname},
                  {"kernel", report.host.kernel},
                  {"started_at", report.host.started_at},
                  {"duration_ms", report.host.duration_ms}};
  std::array<int, 5> counts{};
  for (const auto& f : report.findings) ++counts[static_cast<int>(f.severity)];
  root["summary"] = {{"critical", counts[4]},
                     {"high", counts[3]},
                     {"medium", counts[2]},
                     {"low", counts[1]},
                     {"info", counts[0]}};
  if (report.hardening.present) {
    const ojson score = report.hardening.score ? ojson(*report.hardening.score) : ojson(nullptr);
    root["summary"]["hardening_score"] = score;
    ojson checks = ojson::array();
    for (const auto& c : report.hardening.checks) {
      ojson check = {{"rule", c.rule}, {"status", c.status}};
      if (!c.detail.empty()) check["detail"] = c.detail;
      checks.push_back(std::move(check));
    }
    root["hardening"] = {{"score", score}, {"checks", std::move(checks)}};
  }
  ojson findings = ojson::array();
  for (const auto& f : report.findings) findings.push_back(finding_json(f));
  root["findings"] = std::move(findings);
  ojson incidents = ojson::array();
  for (const auto& i : report.incidents) {
    incidents.push_back({{"id", i.id},
                         {"severity", std::string(to_string(i.severity))},
                         {"root_pid", i.root_pid},
                         {"summary", i.summary},
                         {"pids", i.pids},
                         {"rules", i.rules}});
  }
  root["incidents"] = std::move(incidents);
  ojson errors = ojson::array();
  for (const auto& e : report.errors) {
    errors.push_back({{"collector", e.collector}, {"message", e.message}});
  }
  root["errors"] = std::move(errors);
  // Invalid UTF-8 from a hostile cmdline must not make the dump throw.
  return root.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace hostward
