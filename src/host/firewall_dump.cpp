#include "host/firewall_dump.h"

#include <unistd.h>

#include <fstream>
#include <optional>

#include "host/run_program.h"

namespace hostward::host {

namespace {

std::optional<bool> read_switch(const std::string& path) {
  std::ifstream in(path);
  int v = 0;
  if (!(in >> v)) return std::nullopt;
  return v != 0;
}

IptablesText run_save(const std::string& program) {
  IptablesText t;
  const std::string path = find_program(program);
  if (path.empty()) {
    t.error = program + " is not installed";
    return t;
  }
  const ProgramResult r = run_program({path});
  if (!r.ran || r.timed_out) {
    t.error = r.error;
    return t;
  }
  if (r.exit_code != 0) {
    std::string why = r.err.substr(0, r.err.find('\n'));
    if (geteuid() != 0) why += " (needs root)";
    t.error = program + " exited " + std::to_string(r.exit_code) + ": " + why;
    return t;
  }
  if (r.truncated) {
    t.error = program + ": output larger than 32 MiB";
    return t;
  }
  t.read = true;
  t.text = r.out;
  return t;
}

// The text without iptables-save's comment lines (which carry the time).
std::string without_comments(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text[start] != '#') out.append(text, start, end - start + 1);
    start = end + 1;
  }
  return out;
}

bool file_has_content(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  return static_cast<bool>(in >> word);
}

// iptables-nft and iptables-legacy keep separate tables and the kernel applies
// both. The legacy ones exist when the kernel lists x_tables (ip_tables_names);
// then both are read (iptables 1.8.7 does not say which variant it is), and
// the one that holds rules is used.
IptablesText read_family(const char* save, const char* legacy_save, const std::string& names) {
  IptablesText main = run_save(save);
  if (!main.read || !file_has_content(names) || find_program(legacy_save).empty()) return main;
  IptablesText legacy = run_save(legacy_save);
  if (!legacy.read || !has_rules(legacy.text)) return main;
  if (!has_rules(main.text)) return legacy;
  if (without_comments(main.text) == without_comments(legacy.text))
    return main;  // one and the same
  IptablesText both;
  both.error = std::string("rules in both ") + save + " and " + legacy_save +
               ": the order the kernel applies them in is not known";
  return both;
}

}  // namespace

bool has_rules(const std::string& text) {
  return text.rfind("-A ", 0) == 0 || text.find("\n-A ") != std::string::npos;
}

FirewallDump collect_firewall(const std::string& proc_root, std::vector<CollectorError>& errors) {
  FirewallDump d;
  d.v4 = read_family("iptables-save", "iptables-legacy-save", proc_root + "/net/ip_tables_names");
  d.v6 =
      read_family("ip6tables-save", "ip6tables-legacy-save", proc_root + "/net/ip6_tables_names");
  const std::string nft = find_program("nft");
  if (nft.empty()) {
    d.nft_error = "nft is not installed";
  } else {
    const ProgramResult r = run_program({nft, "-j", "list", "ruleset"});
    if (r.ran && !r.timed_out && r.exit_code == 0 && !r.truncated) {
      d.nft_read = true;
      d.nft_json = r.out;
    } else {
      d.nft_error = r.error.empty() ? "nft exited " + std::to_string(r.exit_code) + ": " +
                                          r.err.substr(0, r.err.find('\n'))
                                    : r.error;
    }
  }
  if (!d.v4.read && !d.nft_read)
    errors.push_back({"firewall", d.v4.error + "; " + d.nft_error});
  else if (!d.v4.read && find_program("iptables-save").size())
    errors.push_back({"firewall", d.v4.error});
  const auto v4 = read_switch(proc_root + "/sys/net/ipv4/ip_forward");
  const auto v6 = read_switch(proc_root + "/sys/net/ipv6/conf/all/forwarding");
  d.forwarding_read = v4.has_value() && v6.has_value();
  d.forwarding_v4 = v4.value_or(false);
  d.forwarding_v6 = v6.value_or(false);
  return d;
}

}  // namespace hostward::host
