#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_rules.h"

// ufw, read the way ufw reads its own files. Whether it runs: ufw-init sources
// /etc/default/ufw then /etc/ufw/ufw.conf as shell and starts only when
// ENABLED is "yes" or "YES", and loads user6.rules only when IPV6 is.
// The rules: /etc/ufw/user.rules and user6.rules are iptables-restore input
// in which every rule ufw manages is preceded by a comment
//   ### tuple ### ACTION PROTO DPORT DST SPORT SRC [DAPP SAPP] [DIRECTION|IFACES] [comment=HEX]
// that ufw's backend_iptables._read_rules() reads back (and `ufw status`
// shows); ufw-user-input is walked in file order, the first match wins.
namespace hostward::audit {

void ufw_register(RuleCatalog& catalog);
void ufw_rules(const AuditInput& in, AuditResult& out);

// A DPORT or SPORT field: "any", or up to 15 ports and lo:hi ranges.
struct UfwPorts {
  bool any = true;
  std::vector<std::pair<int, int>> ranges;  // inclusive; a single port is {p, p}
  bool contains(int port) const;
};

// One tuple as ufw keeps it after reading.
struct UfwRule {
  int line = 0;
  std::string tuple;         // the text after "### tuple ###", printable ASCII, capped
  std::string action;        // allow, deny, reject or limit (ufw reads an unknown word as deny)
  std::string logtype;       // "", log or log-all
  bool route = false;        // "route:ACTION": ufw-user-forward, not ufw-user-input
  std::string protocol;      // any, tcp, udp, ipv6, esp, ah, igmp, gre, vrrp
  std::string dport, sport;  // as written
  UfwPorts dports, sports;
  std::string dst, src;  // lowercased; "any" and the other family's /0 become this family's /0
  bool dst_anywhere = false, src_anywhere = false;  // any, or a prefix length of 0
  bool dst_loopback = false;
  std::string dapp, sapp;                   // application profile names, "" for none
  std::string direction;                    // in or out
  std::string interface_in, interface_out;  // "" for any
  std::string comment;                      // decoded from hex, printable ASCII, capped
};

struct UfwProblem {
  int line = 0;
  std::string message;
};

struct UfwRulesFile {
  std::vector<UfwRule> rules;         // in file order
  std::vector<UfwProblem> malformed;  // tuples ufw skips, lines ufw cannot read
  // The first line iptables-restore rejects: ufw-init then loads none of the file's rules.
  std::vector<UfwProblem> restore;
};

// Service names a hand-edited port may use, resolved as getservbyname(3)
// does through /etc/services: the first entry naming it, alias or not.
using ServicePorts = std::map<std::string, int, std::less<>>;
ServicePorts parse_etc_services(std::string_view text);

// `v6`: the file is user6.rules (ufw maps "any" to ::/0 there).
UfwRulesFile parse_ufw_rules(std::string_view text, bool v6, const ServicePorts& services);

// A port that must not be open to the whole Internet.
struct RiskyService {
  int port = 0;
  std::string_view name;
  Severity severity = Severity::high;
  bool udp = false;  // also dangerous over UDP (memcached: amplification)
};
const std::vector<RiskyService>& risky_services();

// A rule that lets the world reach a risky port: allow or limit, from
// anywhere, for a transport the service speaks, coming in on any interface
// or on a named one other than loopback and the host's tunnel, VPN,
// container and VM interfaces (lo, tailscale*, wg*, tun*, tap*, docker*,
// br-*, virbr*, zt*, cni*, flannel*, cali*, veth*), and no earlier deny or
// reject from anywhere in the same chain covering that port.
struct UfwOpening {
  size_t rule = 0;  // index into UfwRulesFile::rules
  const RiskyService* service = nullptr;
  std::vector<std::string> transports;  // tcp, udp: the ones still open
};
std::vector<UfwOpening> risky_openings(const UfwRulesFile& file);

// NAME=value lines of a file that shell sources; the last one wins.
struct ShellAssignment {
  std::string value;
  int line = 0;
};
std::map<std::string, ShellAssignment> parse_shell_assignments(std::string_view text);

struct UfwSettings {
  bool installed = false;  // /etc/ufw/ufw.conf exists
  bool enabled = false;
  bool ipv6 = true;
  std::string enabled_by;  // "/etc/ufw/ufw.conf:N" of the ENABLED that decided
};
UfwSettings read_ufw_settings(const ConfigFiles& files);

}  // namespace hostward::audit
