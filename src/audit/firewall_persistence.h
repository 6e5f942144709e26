#pragma once
#include <optional>
#include <set>
#include <string>

// config.firewall-not-persistent: live rules that a reboot loses, or a saved
// ruleset that is no longer what runs.
namespace hostward::audit {

// The rules of iptables-save text that the host's owner wrote, one string
// each ("filter -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "filter :INPUT
// DROP" for a policy that is not ACCEPT): the rules Docker, Kubernetes
// network plugins, libvirt, fail2ban and ufw make at run time are left out,
// since they are not meant to be saved.
// With `with_policies` false (ufw sets them), policies are left out too.
// Docker's FORWARD policy is recognised when `docker_present` says Docker
// runs (by default: when the text itself has DOCKER chains).
std::set<std::string> own_iptables_rules(const std::string& iptables_save_text,
                                         bool with_policies = true,
                                         std::optional<bool> docker_present = std::nullopt);

}  // namespace hostward::audit
