// ufw's user.rules as hostward reads it, split at the first NUL into the
// rules file and an /etc/services for named ports. Properties: every rule
// read is one ufw would keep (known action, protocol, direction; ports in
// 1-65535, at most 15 fields); lines rise and stay in the file; every risky
// opening is an allow or limit from anywhere that holds its port; the whole
// rule runs on it (both families) and its findings and errors serialise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "audit/ufw.h"

namespace {

using hostward::audit::UfwPorts;
using hostward::audit::UfwRulesFile;

bool valid_ports(const UfwPorts& p) {
  if (p.any) return p.ranges.empty();
  if (p.ranges.empty() || p.ranges.size() > 15) return false;
  for (const auto& [lo, hi] : p.ranges)
    if (lo < 1 || hi > 65535 || lo > hi) return false;
  return true;
}

bool printable(const std::string& s) {
  for (const char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

void check_file(const UfwRulesFile& f, int lines) {
  static const std::set<std::string> kActions = {"allow", "deny", "reject", "limit"};
  static const std::set<std::string> kProtocols = {"any", "tcp",  "udp", "ipv6", "esp",
                                                   "ah",  "igmp", "gre", "vrrp"};
  int last = 0;
  for (const auto& r : f.rules) {
    if (!kActions.count(r.action) || !kProtocols.count(r.protocol)) abort();
    if (r.direction != "in" && r.direction != "out") abort();
    if (!r.logtype.empty() && r.logtype != "log" && r.logtype != "log-all") abort();
    if (!valid_ports(r.dports) || !valid_ports(r.sports)) abort();
    if (r.interface_in.size() > 15 || r.interface_out.size() > 15) abort();
    if (!printable(r.tuple) || !printable(r.comment)) abort();
    if (r.line <= last || r.line > lines) abort();
    last = r.line;
  }
  for (const auto& p : f.malformed)
    if (p.line < 1 || p.line > lines) abort();
  if (f.restore.size() > 1) abort();
  for (const auto& o : hostward::audit::risky_openings(f)) {
    if (o.rule >= f.rules.size() || o.service == nullptr || o.transports.empty()) abort();
    const auto& r = f.rules[o.rule];
    if ((r.action != "allow" && r.action != "limit") || !r.src_anywhere ||
        !r.dports.contains(o.service->port))
      abort();
  }
}

int count_lines(const std::string& text) {
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (text[i] == '\n' || text[i] == '\r') ++n;
  }
  return n + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string rules = input.substr(0, nul);
  const std::string services_text = nul == std::string::npos ? "" : input.substr(nul + 1);
  const auto services = hostward::audit::parse_etc_services(services_text);
  for (const bool v6 : {false, true})
    check_file(hostward::audit::parse_ufw_rules(rules, v6, services), count_lines(rules));
  (void)hostward::audit::parse_shell_assignments(rules);

  hostward::audit::AuditInput in;
  in.files.memory["/etc/ufw/ufw.conf"] = "ENABLED=yes\n";
  in.files.memory["/etc/default/ufw"] = "IPV6=yes\n";
  in.files.memory["/etc/services"] = services_text;
  in.files.memory["/etc/ufw/user.rules"] = rules;
  in.files.memory["/etc/ufw/user6.rules"] = rules;
  hostward::audit::AuditResult out;
  hostward::audit::ufw_rules(in, out);
  for (const auto& f : out.findings) {
    if (!f.subject["line"].is_number_integer() || f.subject["line"].get<int>() < 1) abort();
    (void)f.evidence.dump();  // throws on text that is not UTF-8
    (void)nlohmann::json(f.title).dump();
  }
  for (const auto& e : out.errors) (void)nlohmann::json(e.message).dump();
  return 0;
}
