#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/config_files.h"
#include "audit/ufw.h"

// config.firewall-not-persistent: live rules that a reboot loses, or a saved
// ruleset that is no longer what runs.
namespace hostward::audit {

// How to read a ruleset in iptables-save / iptables-restore syntax.
struct RuleReading {
  // With false (ufw sets them), built-in chains' policies are left out.
  bool with_policies = true;
  // Whether Docker runs (its FORWARD policy is then Docker's); by default:
  // when the text itself has DOCKER chains.
  std::optional<bool> docker_present;
  bool v6 = false;  // ip6tables: its defaults (REJECT's, the masks) differ
  // Service names in ports ("--dport ssh") resolve through these, as
  // iptables resolves them through /etc/services; unresolved names stay.
  const ServicePorts* services = nullptr;
};

// The rules of the text that the host's owner wrote, one string each
// ("filter -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "filter :INPUT
// DROP" for a policy that is not ACCEPT), each in one canonical form, so
// that a hand-written rules file and iptables-save's output of what it
// loaded give the same strings: long options as short ones, addresses as
// iptables stores them (10.8.0.0/8 is 10.0.0.0/8, a host is /32 or /128),
// the match that "-p tcp --dport" loads implicitly written out, names of
// ports, ICMP types and log levels as numbers, defaults left out, and each
// match's options in one order.
// The rules that Docker, Kubernetes network plugins, libvirt, fail2ban, ufw,
// CrowdSec, sshguard and Azure's guest agent make at run time are left out,
// since they are not meant to be saved.
std::set<std::string> own_iptables_rules(const std::string& iptables_save_text,
                                         const RuleReading& how = {});

// The nftables tables ("inet filter") a configuration file declares, with
// the files it includes as `nft -f` reads them: absolute paths, relative
// ones under nft's include directory /etc, globs in name order; inside the
// files' root, at most 16 levels deep and 128 files. nullopt when `path`
// cannot be read.
struct NftConfig {
  std::set<std::string> tables;
  std::vector<std::string> files;  // read, in order
};
std::optional<NftConfig> read_nft_config(const ConfigFiles& files, const std::string& path);

}  // namespace hostward::audit
