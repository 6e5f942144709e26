#include <hostward/version.h>
#include <unistd.h>

#include <cctype>
#include <climits>
#include <string>

#include "core/writers.h"

namespace hostward {

namespace {

using ojson = nlohmann::ordered_json;

const char* level_of(Severity s) {
  switch (s) {
    case Severity::critical:
    case Severity::high:
      return "error";
    case Severity::medium:
      return "warning";
    default:
      return "note";
  }
}

// GitHub code scanning ranks security results by this number (CVSS-like).
const char* security_severity(Severity s) {
  switch (s) {
    case Severity::critical:
      return "9.5";
    case Severity::high:
      return "8.0";
    case Severity::medium:
      return "5.5";
    case Severity::low:
      return "3.0";
    default:
      return "1.0";
  }
}

// "ci.port-published-all-interfaces" -> "PortPublishedAllInterfaces"
std::string pascal_name(std::string_view id) {
  const size_t dot = id.find('.');
  std::string out;
  bool upper = true;
  for (char c : id.substr(dot == std::string_view::npos ? 0 : dot + 1)) {
    if (c == '-' || c == '.' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

std::string sentence(std::string s) {
  if (!s.empty() && s.back() != '.') s += '.';
  return s;
}

std::string percent_encode(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string working_directory() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) return "/";
  std::string d = buf;
  if (d.back() != '/') d += '/';
  return d;
}

ojson rule_json(const RuleInfo& r) {
  ojson tags = ojson::array({"security", std::string(rule_area(r.id))});
  for (const auto& a : r.attack) tags.push_back("external/attack/" + a);
  return {{"id", r.id},
          {"name", pascal_name(r.id)},
          {"shortDescription", {{"text", sentence(r.title)}}},
          {"fullDescription", {{"text", sentence(r.rationale)}}},
          {"help", {{"text", sentence(r.remediation)}, {"markdown", sentence(r.remediation)}}},
          {"defaultConfiguration", {{"level", level_of(r.severity)}}},
          {"properties",
           {{"tags", tags},
            {"precision", "high"},
            {"problem.severity", level_of(r.severity)},
            {"security-severity", security_severity(r.severity)}}}};
}

ojson location_json(const Finding& f, const std::string& cwd) {
  const auto& s = f.subject;
  std::string path = s.value("path", "");
  std::string base = "%SRCROOT%";
  if (!path.empty() && path.front() == '/') {
    if (path.compare(0, cwd.size(), cwd) == 0) {
      path = path.substr(cwd.size());
    } else {
      path = path.substr(1);
      base = "ROOT";
    }
  }
  while (path.rfind("./", 0) == 0) path = path.substr(2);
  ojson region = {{"startLine", s.value("line", 1)}, {"startColumn", s.value("column", 1)}};
  if (s.contains("snippet")) region["snippet"] = {{"text", s["snippet"]}};
  return {{"physicalLocation",
           {{"artifactLocation", {{"uri", percent_encode(path)}, {"uriBaseId", base}}},
            {"region", region}}}};
}

}  // namespace

std::string write_sarif(const Report& report, const std::vector<RuleInfo>& rules) {
  const std::string cwd = working_directory();
  ojson rule_list = ojson::array();
  for (const auto& r : rules) rule_list.push_back(rule_json(r));
  auto index_of = [&](const std::string& id) -> int {
    for (size_t i = 0; i < rules.size(); ++i)
      if (rules[i].id == id) return static_cast<int>(i);
    return -1;
  };
  ojson results = ojson::array();
  for (const auto& f : report.findings) {
    ojson r = {{"ruleId", f.rule}};
    if (const int i = index_of(f.rule); i >= 0) r["ruleIndex"] = i;
    r["level"] = level_of(f.severity);
    r["message"] = {{"text", sentence(f.title)}};
    if (f.subject.value("kind", "") == "file")
      r["locations"] = ojson::array({location_json(f, cwd)});
    r["partialFingerprints"] = {{"hostward/v1", f.fingerprint}};
    r["properties"] = {{"severity", std::string(to_string(f.severity))}, {"evidence", f.evidence}};
    results.push_back(std::move(r));
  }
  ojson notifications = ojson::array();
  for (const auto& e : report.errors)
    notifications.push_back({{"level", "error"}, {"message", {{"text", sentence(e.message)}}}});
  ojson run = {{"tool",
                {{"driver",
                  {{"name", "hostward"},
                   {"version", kVersion},
                   {"semanticVersion", kVersion},
                   {"informationUri", kInformationUri},
                   {"rules", rule_list}}}}},
               {"invocations", ojson::array({{{"executionSuccessful", true},
                                              {"toolExecutionNotifications", notifications}}})},
               {"originalUriBaseIds",
                {{"%SRCROOT%", {{"uri", "file://" + percent_encode(cwd)}}},
                 {"ROOT", {{"uri", "file:///"}}}}},
               {"columnKind", "unicodeCodePoints"},
               {"results", results}};
  ojson root = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs", ojson::array({run})}};
  return root.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace hostward
