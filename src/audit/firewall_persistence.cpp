#include "audit/firewall_persistence.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>

#include "audit/modules.h"
#include "audit/systemd_unit.h"
#include "audit/ufw.h"

namespace hostward::audit {

namespace {

const RuleInfo& info() {
  static const RuleInfo i{
      "config.firewall-not-persistent",
      Severity::medium,
      {"T1562.004"},
      "the live firewall rules are not the ones loaded at boot",
      "The seed's build agent had rules typed by hand and nothing saved: the next reboot "
      "(or a crash) opens every port they closed, silently.",
      "Save what runs and load it at boot: `apt install iptables-persistent` then "
      "`netfilter-persistent save` (or keep the rules in /etc/nftables.conf with nftables.service "
      "enabled, or manage them with ufw); after every change, save again."};
  return i;
}

// Chains and targets of tools that rebuild their rules themselves.
// DOCKER-USER is Docker's chain for the owner's own rules: those are not
// Docker's to rebuild (only its "-j RETURN" is).
bool managed_name(const std::string& s) {
  if (s == "DOCKER-USER") return false;
  for (const char* prefix : {"DOCKER", "ufw-", "ufw6-", "f2b-", "KUBE-", "CNI-", "cali-", "FLANNEL",
                             "LIBVIRT_", "CILIUM_", "NETAVARK", "ts-", "sshguard", "crowdsec"})
    if (s.rfind(prefix, 0) == 0) return true;
  return false;
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Docker's hairpin rule for a published port: MASQUERADE from a container's
// address to itself (-s C/32 -d C/32), made and removed with the container.
bool docker_hairpin(const std::vector<std::string>& words) {
  std::string source, destination;
  bool masquerade = false;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "-s") source = words[i + 1];
    if (words[i] == "-d") destination = words[i + 1];
    if (words[i] == "-j" && words[i + 1] == "MASQUERADE") masquerade = true;
  }
  return masquerade && !source.empty() && source == destination &&
         (ends_with(source, "/32") || ends_with(source, "/128"));
}

bool managed_rule(const std::vector<std::string>& words) {
  // "-A CHAIN ...": the chain, any jump target, and Docker's bridge interfaces.
  if (words.size() >= 2 && managed_name(words[1])) return true;
  if (words.size() == 4 && words[1] == "DOCKER-USER" && words[2] == "-j" && words[3] == "RETURN")
    return true;
  if (docker_hairpin(words)) return true;
  for (size_t i = 2; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string& next = words[i + 1];
    if ((w == "-j" || w == "-g" || w == "--jump" || w == "--goto") &&
        (managed_name(next) || next == "DOCKER-USER"))
      return true;
    if ((w == "-i" || w == "-o") &&
        (next.rfind("docker", 0) == 0 || next.rfind("br-", 0) == 0 || next.rfind("virbr", 0) == 0 ||
         next.rfind("cni", 0) == 0 || next.rfind("flannel", 0) == 0))
      return true;
  }
  return false;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string w;
  while (in >> w && out.size() < 4096) out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

struct NftTables {
  std::set<std::string> with_rules;  // "family name" of tables with at least one rule
  bool parsed = false;
};

// Tables of nft's own (not iptables-nft's compatibility tables, not a tool's).
NftTables own_nft_tables(const std::string& json_text) {
  NftTables out;
  const auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("nftables") || !j["nftables"].is_array())
    return out;
  out.parsed = true;
  static const std::set<std::string> kCompat = {"filter", "nat", "mangle", "raw", "security"};
  for (const auto& item : j["nftables"]) {
    if (!item.is_object() || !item.contains("rule") || !item["rule"].is_object()) continue;
    const auto& r = item["rule"];
    const std::string family = r.value("family", ""), table = r.value("table", "");
    if ((family == "ip" || family == "ip6") && kCompat.count(table)) continue;
    const std::string lower = lowercase(table);
    bool tool = false;
    for (const char* t : {"docker", "f2b", "crowdsec", "sshguard", "libvirt", "kube", "cni",
                          "firewalld", "cilium", "calico"})
      if (lower.find(t) != std::string::npos) tool = true;
    if (!tool) out.with_rules.insert(family + " " + table);
  }
  return out;
}

std::vector<std::string> first(const std::vector<std::string>& v, size_t n) {
  return {v.begin(), v.begin() + static_cast<long>(std::min(n, v.size()))};
}

// What loads rules of this family at boot: rules.v4/v6 when netfilter-
// persistent is enabled, and with ufw on its rules files (admins put NAT and
// forwarding rules in before.rules).
std::vector<std::string> boot_sources(const AuditInput& in, bool v6, bool persistent, bool ufw_on) {
  std::vector<std::string> out;
  const std::string saved = v6 ? "/etc/iptables/rules.v6" : "/etc/iptables/rules.v4";
  if (persistent && in.files.read(saved)) out.push_back(saved);
  if (ufw_on)
    for (const char* name : {"before", "user", "after"}) {
      const std::string path = fmt::format("/etc/ufw/{}{}.rules", name, v6 ? "6" : "");
      if (in.files.read(path)) out.push_back(path);
    }
  return out;
}

void judge_iptables(const AuditInput& in, const host::IptablesText& live, bool v6, bool persistent,
                    bool ufw_on, AuditResult& out) {
  if (!live.read) return;
  const char* family = v6 ? "IPv6" : "IPv4";
  const std::string saved_path = v6 ? "/etc/iptables/rules.v6" : "/etc/iptables/rules.v4";
  // Docker's FORWARD policy is decided once, from what runs, for both sides.
  const bool docker = live.text.find("\n:DOCKER") != std::string::npos;
  // ufw sets the built-in chains' policies itself: with ufw on, only rules count.
  const auto running = own_iptables_rules(live.text, !ufw_on, docker);
  const auto sources = boot_sources(in, v6, persistent, ufw_on);
  if (running.empty() && sources.empty()) return;
  nlohmann::json subject = {{"kind", "firewall"}, {"family", family}, {"path", saved_path}};
  if (sources.empty()) {
    std::vector<std::string> rules(running.begin(), running.end());
    out.findings.push_back(make_finding(
        info(), Severity::medium,
        fmt::format("{} live {} firewall rule{} but nothing loads them at boot ({} {})",
                    running.size(), family, running.size() == 1 ? "" : "s", saved_path,
                    in.files.read(saved_path) ? "exists but netfilter-persistent is not enabled"
                                              : "does not exist"),
        subject, {{"live_rules", running.size()}, {"examples", first(rules, 5)}}, in.hostname,
        std::string("iptables ") + family));
    return;
  }
  std::set<std::string> saved;
  for (const auto& path : sources) {
    const auto rules = own_iptables_rules(in.files.read(path).value_or(""), !ufw_on, docker);
    saved.insert(rules.begin(), rules.end());
  }
  std::vector<std::string> unsaved, gone;
  std::set_difference(running.begin(), running.end(), saved.begin(), saved.end(),
                      std::back_inserter(unsaved));
  std::set_difference(saved.begin(), saved.end(), running.begin(), running.end(),
                      std::back_inserter(gone));
  if (unsaved.empty() && gone.empty()) return;
  subject["path"] = sources.front();
  out.findings.push_back(make_finding(
      info(), Severity::medium,
      fmt::format("the live {} rules differ from {}: {} not saved, {} saved but not loaded", family,
                  fmt::join(sources, ", "), unsaved.size(), gone.size()),
      subject,
      {{"not_saved", first(unsaved, 5)},
       {"not_saved_count", unsaved.size()},
       {"saved_not_live", first(gone, 5)},
       {"saved_not_live_count", gone.size()},
       {"loaded_at_boot_from", sources}},
      in.hostname, std::string("iptables ") + family));
}

}  // namespace

std::set<std::string> own_iptables_rules(const std::string& text, bool with_policies,
                                         std::optional<bool> docker_present) {
  std::set<std::string> out;
  // dockerd sets FORWARD's policy to DROP when it turns forwarding on.
  const bool docker = docker_present.value_or(text.find("\n:DOCKER") != std::string::npos);
  std::istringstream in(text);
  std::string line, table;
  while (std::getline(in, line) && out.size() < 100000) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {  // "*filter": a table name is one word
      const auto name = words_of(line.substr(1));
      table = name.empty() ? "" : name[0];
      continue;
    }
    const auto words = words_of(line);
    if (words.empty()) continue;
    if (line[0] == ':') {
      // ":INPUT DROP [0:0]": a built-in chain's policy; user chains say "-".
      if (with_policies && words.size() >= 2 && words[1] != "ACCEPT" && words[1] != "-" &&
          !managed_name(words[0].substr(1)) && !(docker && words[0] == ":FORWARD"))
        out.insert(table + " " + words[0] + " " + words[1]);
      continue;
    }
    if (words[0] == "-A" && !managed_rule(words)) out.insert(table + " " + join(words));
  }
  return out;
}

void firewall_persistence_register(RuleCatalog& catalog) { catalog.add(info()); }

void firewall_persistence_rules(const AuditInput& in, AuditResult& out) {
  if (in.live == nullptr || !in.live->network_collected) {
    out.unknown(info().id, "needs the live firewall (not judged for an offline tree)");
    return;
  }
  const auto& fw = in.live->firewall;
  if (!fw.v4.read && !fw.v6.read && !fw.nft_read) {
    out.unknown(info().id, "the live firewall could not be read");
    return;
  }
  // ufw restores its own chains, not rules typed beside them: those are judged.
  const bool ufw_on = read_ufw_settings(in.files).enabled;
  if (unit_enabled(in.files, "firewalld.service")) {
    out.checks[info().id] = {info().id, "passed", "firewalld keeps its permanent rules"};
    return;
  }
  out.judged(info().id);
  const bool persistent = unit_enabled(in.files, "netfilter-persistent.service");
  judge_iptables(in, fw.v4, false, persistent, ufw_on, out);
  judge_iptables(in, fw.v6, true, persistent, ufw_on, out);
  if (!fw.nft_read) return;
  const NftTables tables = own_nft_tables(fw.nft_json);
  if (tables.with_rules.empty()) return;
  const auto conf = unit_enabled(in.files, "nftables.service") ? in.files.read("/etc/nftables.conf")
                                                               : std::nullopt;
  std::vector<std::string> missing;
  for (const auto& t : tables.with_rules)
    if (!conf || conf->find("table " + t) == std::string::npos) missing.push_back(t);
  if (missing.empty()) return;
  out.findings.push_back(make_finding(
      info(), Severity::medium,
      conf ? fmt::format("nftables table{} {} run{} but /etc/nftables.conf does not declare {}",
                         missing.size() == 1 ? "" : "s", fmt::join(missing, ", "),
                         missing.size() == 1 ? "s" : "", missing.size() == 1 ? "it" : "them")
           : fmt::format("nftables rules run (table {}) but nftables.service does not load "
                         "/etc/nftables.conf at boot",
                         fmt::join(missing, ", ")),
      {{"kind", "firewall"}, {"family", "nftables"}, {"path", "/etc/nftables.conf"}},
      {{"tables", missing}}, in.hostname, "nftables"));
}

}  // namespace hostward::audit
