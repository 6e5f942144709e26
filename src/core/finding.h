#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/severity.h"

namespace hostward {

struct Finding {
  std::string rule;
  Severity severity = Severity::info;
  std::string title;
  nlohmann::json subject = nlohmann::json::object();  // {"kind":"process","pid":N,...}
  nlohmann::json evidence = nlohmann::json::object();
  std::string remediation;
  std::vector<std::string> attack;
  std::string fingerprint;
  std::string incident;  // id of the incident this finding belongs to, empty when alone
};

// Several findings on one process tree, reported as one event.
struct Incident {
  std::string id;
  Severity severity = Severity::info;
  int root_pid = 0;
  std::string summary;
  std::vector<int> pids;           // every process of the tree that carries a finding
  std::vector<std::string> rules;  // distinct rule ids, sorted
  std::vector<std::string> tree;   // the process tree, one line a process, for people
};

struct CollectorError {
  std::string collector;
  std::string message;
};

struct HostInfo {
  std::string hostname;
  std::string kernel;
  std::string started_at;  // RFC 3339, UTC
  long long duration_ms = 0;
  std::string command = "scan";  // the subcommand, for the text report's header
};

// One hardening check of `scan`'s config area, for the summary's score.
struct HardeningCheck {
  std::string rule;
  std::string status;  // passed, failed, not_applicable, unknown
  std::string detail;  // why not applicable or unknown; empty otherwise
};

struct Hardening {
  bool present = false;  // the config area ran
  // 0-100: weighted share of applicable checks passed; none when no check
  // was judged applicable (an empty or unreadable tree is not a perfect host).
  std::optional<int> score;
  std::vector<HardeningCheck> checks;
};

struct Report {
  HostInfo host;
  Hardening hardening;
  std::vector<Finding> findings;
  std::vector<Incident> incidents;
  std::vector<CollectorError> errors;
};

// The most serious severity in the report, counting incidents, or nullopt when empty.
std::optional<Severity> worst_severity(const Report& report);

}  // namespace hostward
