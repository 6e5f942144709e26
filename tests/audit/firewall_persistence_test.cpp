// config.firewall-not-persistent: real iptables and nft in a test-made
// network namespace as the oracle of what a hand-written file loads, and the
// canonical form of rules, the tools' rules and nft's includes on their own.
#include "audit/firewall_persistence.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "audit/audit_rules.h"
#include "audit/fixture_tree.h"
#include "host/snapshot.h"
#include "integration/support.h"

namespace hostward::itest {
namespace {

using nlohmann::json;

constexpr const char* kRule = "config.firewall-not-persistent";

std::vector<Finding> of_rule(const audit::AuditResult& r) {
  std::vector<Finding> f;
  for (const auto& x : r.findings)
    if (x.rule == kRule) f.push_back(x);
  return f;
}

std::vector<Finding> judge(const Tree& t, const host::Snapshot& live) {
  audit::AuditInput in;
  in.files.root = t.dir.path();
  in.live = &live;
  return of_rule(audit::run_config_rules(in));
}

void enable_netfilter_persistent(Tree& t) {
  enable_unit(t, "netfilter-persistent.service", "/usr/sbin/netfilter-persistent start");
}

// Rules as people write them in rules.v4 and ufw's before.rules: long
// options, host bits in networks, no "-m tcp", names of ports and ICMP
// types, quotes, defaults spelled out or left out. Each loads with
// iptables-restore, which stores it in the form iptables-save prints.
const char* kHandWrittenV4 = R"(# hand-written
*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.8.0.0/8 -o eth0 -j MASQUERADE
-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080
-A PREROUTING --protocol udp --destination-port 53 --in-interface eth0 --jump REDIRECT --to-port 5353
-A POSTROUTING --out-interface eth1 -j SNAT --to 192.0.2.1
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
-A INPUT --source 192.0.2.7 --destination 198.51.100.9/255.255.255.0 -p TCP --match tcp --source-port 1024 --dport ssh -j ACCEPT
-A INPUT  -p tcp --dport 22 --sport 1000 --syn   -j ACCEPT
-A INPUT -m comment --comment "allow ssh" -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -m comment --comment "simple" -j ACCEPT
-A INPUT -p icmp --icmp-type echo-request -j ACCEPT
-A INPUT -p icmp --icmp-type port-unreachable -j ACCEPT
-A INPUT -p icmp --icmp-type any -j ACCEPT
-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
-A INPUT -m conntrack --ctstate new,established -j ACCEPT
-A INPUT -p tcp -m multiport --destination-ports ssh,http -j ACCEPT
-A INPUT ! -s 10.0.0.0/8 -p 17 --dport 1: -j DROP
-A INPUT -s 203.0.113.4,203.0.113.5 -j DROP
-A INPUT -p all -j LOG --log-prefix "dropped: " --log-level warning
-A INPUT -m limit --limit 5/minute --limit-burst 5 -j LOG --log-level info
-A INPUT -p tcp --tcp-flags ALL NONE -j DROP
-A INPUT -p tcp --dport 22 -m recent --set --name SSH
-A INPUT -s 0.0.0.0/0 -p 47 -j ACCEPT
-A INPUT -m mark --mark 1 -j ACCEPT
-A INPUT -i eth0 -m connlimit --connlimit-above 10 -j DROP
-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-name web --hashlimit-mode srcip -j ACCEPT
-A INPUT -j REJECT --reject-with port-unreach
COMMIT
*mangle
-A PREROUTING -j MARK --set-mark 1
-A PREROUTING -j CONNMARK --restore-mark
COMMIT
)";

const char* kHandWrittenV6 = R"(*filter
:INPUT DROP [0:0]
-A INPUT -s 2001:DB8:0:0::1 -p icmpv6 -j ACCEPT
-A INPUT -s 2001:db8::/32 -p icmpv6 --icmpv6-type echo-request -j ACCEPT
-A INPUT -p 58 --icmpv6-type neighbour-solicitation -j ACCEPT
-A INPUT -d fe80::1/64 -p tcp --dport 22 -j ACCEPT
-A INPUT -s ::ffff:10.0.0.1 -j DROP
-A INPUT -s ::/0 -j DROP
-A INPUT -m recent --set
-A INPUT -m connlimit --connlimit-above 3 -j DROP
-A INPUT -j REJECT
-A INPUT -j REJECT --reject-with adm-prohibited
COMMIT
)";

class FirewallPersistence : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (network namespace, iptables)";
    if (!have_program("iptables-save")) GTEST_SKIP() << "iptables is not installed";
    ASSERT_TRUE(ns_.create()) << ns_.error();
  }
  void in_ns(std::vector<std::string> argv) {
    const auto r = ns_.run(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The live firewall of the namespace as hostward collects it.
  host::Snapshot live_snapshot() {
    return host::snapshot_from_json(ns_.exposure_snapshot(tmp_.path()));
  }
  // A tree whose saved rules are the hand-written file, loaded into the
  // namespace by `loader` (iptables-restore, iptables-legacy-restore, ...).
  void load_hand_written(Tree& t, const std::string& loader, bool v6) {
    const std::string path = v6 ? "/etc/iptables/rules.v6" : "/etc/iptables/rules.v4";
    t.write(path, v6 ? kHandWrittenV6 : kHandWrittenV4);
    t.write("/etc/services", "ssh\t\t22/tcp\nhttp\t\t80/tcp\t\twww\n");
    enable_netfilter_persistent(t);
    in_ns({loader, t.at(path)});
  }
  Netns ns_;
  TempDir tmp_;
};

TEST_F(FirewallPersistence, HandTypedRulesWithNothingSavedFire) {
  in_ns({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"});
  in_ns({"iptables", "-P", "FORWARD", "DROP"});
  Tree t;
  const auto f = judge(t, live_snapshot());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["family"], "IPv4");
  EXPECT_EQ(f[0].evidence["live_rules"], 2);
  EXPECT_EQ(f[0].severity, Severity::medium);
}

TEST_F(FirewallPersistence, SavedAndLoadedRulesAreQuietUntilTheyDiffer) {
  in_ns({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"});
  const auto saved = ns_.run({"iptables-save"});
  ASSERT_EQ(saved.exit_code, 0);
  Tree t;
  t.write("/etc/iptables/rules.v4", saved.out);
  enable_netfilter_persistent(t);
  EXPECT_TRUE(judge(t, live_snapshot()).empty());
  in_ns({"iptables", "-I", "INPUT", "-p", "tcp", "--dport", "2375", "-j", "ACCEPT"});
  const auto f = judge(t, live_snapshot());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["not_saved_count"], 1);
  EXPECT_EQ(f[0].evidence["not_saved"][0], "filter -A INPUT -p tcp -m tcp --dport 2375 -j ACCEPT");
  EXPECT_EQ(f[0].evidence["saved_not_live_count"], 0);
}

// RHEL's iptables-services: `service iptables save` writes
// /etc/sysconfig/iptables, iptables.service loads it at boot.
TEST_F(FirewallPersistence, RhelSysconfigRulesCountWhenIptablesServiceLoadsThem) {
  in_ns({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"});
  const auto saved = ns_.run({"iptables-save"});
  ASSERT_EQ(saved.exit_code, 0);
  Tree t;
  t.write("/etc/sysconfig/iptables", saved.out);
  const auto off = judge(t, live_snapshot());
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].title,
            "1 live IPv4 firewall rule but nothing loads them at boot (/etc/sysconfig/iptables "
            "exists but iptables.service is not enabled)");
  EXPECT_EQ(off[0].subject["path"], "/etc/sysconfig/iptables");
  enable_unit(t, "iptables.service", "/usr/libexec/iptables/iptables.init start");
  EXPECT_TRUE(judge(t, live_snapshot()).empty());
  // A stale Debian file beside it, loaded by nothing, changes nothing.
  t.write("/etc/iptables/rules.v4", "*filter\nCOMMIT\n");
  EXPECT_TRUE(judge(t, live_snapshot()).empty());
}

TEST_F(FirewallPersistence, HandWrittenRulesAsIptablesRestoreLoadsThemAreQuiet) {
  Tree t;
  load_hand_written(t, "iptables-restore", false);
  const auto live = live_snapshot();
  ASSERT_NE(live.firewall.v4.text.find("-s 10.0.0.0/8 -o eth0 -j MASQUERADE"), std::string::npos)
      << live.firewall.v4.text;
  const auto f = judge(t, live);
  EXPECT_TRUE(f.empty()) << (f.empty() ? "" : f[0].evidence.dump(2));
}

TEST_F(FirewallPersistence, HandWrittenRulesAsIptablesLegacyLoadsThemAreQuiet) {
  if (!have_program("iptables-legacy-restore")) GTEST_SKIP() << "no iptables-legacy";
  Tree t;
  load_hand_written(t, "iptables-legacy-restore", false);
  const auto live = live_snapshot();
  ASSERT_NE(live.firewall.v4.text.find("--set-xmark 0x1/0xffffffff"), std::string::npos)
      << live.firewall.v4.text;
  const auto f = judge(t, live);
  EXPECT_TRUE(f.empty()) << (f.empty() ? "" : f[0].evidence.dump(2));
}

TEST_F(FirewallPersistence, HandWrittenIPv6RulesAsIp6tablesRestoreLoadsThemAreQuiet) {
  if (!have_program("ip6tables-restore")) GTEST_SKIP() << "no ip6tables";
  Tree t;
  load_hand_written(t, "ip6tables-restore", true);
  const auto live = live_snapshot();
  ASSERT_NE(live.firewall.v6.text.find("-s 2001:db8::1/128"), std::string::npos)
      << live.firewall.v6.text;
  const auto f = judge(t, live);
  EXPECT_TRUE(f.empty()) << (f.empty() ? "" : f[0].evidence.dump(2));
}

TEST_F(FirewallPersistence, AHandWrittenRuleThatTrulyDiffersFires) {
  Tree t;
  load_hand_written(t, "iptables-restore", false);
  // What runs now masquerades a /16, not the saved 10.8.0.0/8 (10.0.0.0/8).
  in_ns({"iptables", "-t", "nat", "-R", "POSTROUTING", "1", "-s", "10.8.0.0/16", "-o", "eth0", "-j",
         "MASQUERADE"});
  const auto f = judge(t, live_snapshot());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].rule, kRule);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].title,
            "the live IPv4 rules differ from /etc/iptables/rules.v4: 1 not saved, 1 saved but not "
            "loaded");
  EXPECT_EQ(f[0].subject,
            json({{"kind", "firewall"}, {"family", "IPv4"}, {"path", "/etc/iptables/rules.v4"}}));
  EXPECT_EQ(f[0].evidence["not_saved"],
            json({"nat -A POSTROUTING -s 10.8.0.0/16 -o eth0 -j MASQUERADE"}));
  EXPECT_EQ(f[0].evidence["saved_not_live"],
            json({"nat -A POSTROUTING -s 10.8.0.0/8 -o eth0 -j MASQUERADE"}));
  EXPECT_EQ(f[0].evidence["not_saved_count"], 1);
  EXPECT_EQ(f[0].evidence["saved_not_live_count"], 1);
}

TEST_F(FirewallPersistence, DockerRulesAndAnEmptyFirewallAreQuiet) {
  in_ns({"iptables", "-N", "DOCKER"});
  in_ns({"iptables", "-A", "FORWARD", "-o", "docker0", "-j", "DOCKER"});
  in_ns({"iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "172.17.0.0/16", "!", "-o", "docker0",
         "-j", "MASQUERADE"});
  Tree t;
  EXPECT_TRUE(judge(t, live_snapshot()).empty());
}

TEST_F(FirewallPersistence, NftTablesInFilesNftIncludesAreQuietAndOthersFire) {
  if (!have_program("nft")) GTEST_SKIP() << "nft is not installed";
  Tree t;
  // A relative include is looked up in nft's include directory (/etc; the
  // tree's etc here, given to nft with -I).
  t.write("/etc/nftables.conf", "#!/usr/sbin/nft -f\ninclude \"hwtest-nft.d/*.nft\"\n");
  t.write("/etc/hwtest-nft.d/web.nft",
          "table inet web {\n  chain input {\n    type filter hook input priority 0;\n"
          "    tcp dport 80 accept\n  }\n}\n");
  enable_unit(t, "nftables.service", "/usr/sbin/nft -f /etc/nftables.conf");
  in_ns({"nft", "-I", t.at("/etc"), "-f", t.at("/etc/nftables.conf")});
  EXPECT_TRUE(judge(t, live_snapshot()).empty());
  in_ns({"nft", "add", "table", "inet", "extra"});
  in_ns({"nft", "add", "chain", "inet", "extra", "c"});
  in_ns({"nft", "add", "rule", "inet", "extra", "c", "counter"});
  const auto f = judge(t, live_snapshot());
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject["family"], "nftables");
  EXPECT_EQ(f[0].evidence["tables"], json({"inet extra"}));
  EXPECT_EQ(f[0].evidence["config_files"],
            json({"/etc/nftables.conf", "/etc/hwtest-nft.d/web.nft"}));
}

TEST_F(FirewallPersistence, LiveScanInTheNamespaceReportsIt) {
  // The host's own /etc decides what is persisted: skip where it persists rules.
  if (access("/etc/iptables/rules.v4", F_OK) == 0 || access("/etc/sysconfig/iptables", F_OK) == 0 ||
      access("/etc/ufw/ufw.conf", F_OK) == 0)
    GTEST_SKIP() << "this host keeps saved iptables or ufw rules";
  in_ns({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "6379", "-j", "DROP"});
  const auto r = ns_.run(
      {HOSTWARD_BIN, "scan", "--only", "config", "--format", "json", "--fail-on", "critical"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const auto f = findings_with_rule(json::parse(r.out), kRule);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["evidence"]["examples"][0], "filter -A INPUT -p tcp -m tcp --dport 6379 -j DROP");
}

// --- the canonical form, without iptables ---

std::set<std::string> own(const std::string& rule, const char* table = "filter",
                          const audit::RuleReading& how = {}) {
  return audit::own_iptables_rules(fmt::format("*{}\n{}\nCOMMIT\n", table, rule), how);
}

TEST(OwnIptablesRules, HandWrittenFormsAreWhatIptablesSavePrints) {
  // {as written, as iptables-save prints it after iptables-restore}, from iptables 1.8.9.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"-A POSTROUTING -s 10.8.0.0/8 -o eth0 -j MASQUERADE",
       "-A POSTROUTING -s 10.0.0.0/8 -o eth0 -j MASQUERADE"},
      {"-A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.2:8080",
       "-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080"},
      {"-A INPUT --source 192.0.2.7 --destination 192.0.2.8/255.255.255.0 --protocol tcp "
       "--match tcp --source-port 1024 --destination-port 22 --jump ACCEPT",
       "-A INPUT -s 192.0.2.7/32 -d 192.0.2.0/24 -p tcp -m tcp --sport 1024 --dport 22 -j ACCEPT"},
      {"-A INPUT -m comment --comment \"allow ssh\" -p tcp -m tcp --dport 22 -j ACCEPT",
       "-A INPUT -p tcp -m comment --comment \"allow ssh\" -m tcp --dport 22 -j ACCEPT"},
      {"-A INPUT -m comment --comment \"simple\" -j ACCEPT",
       "-A INPUT -m comment --comment simple -j ACCEPT"},
      {"-A INPUT -m comment --comment \"it's\" -j ACCEPT",
       "-A INPUT -m comment --comment \"it\\'s\" -j ACCEPT"},
      {"-A INPUT -p tcp --dport 22 --sport 1000 --syn -j ACCEPT",
       "-A INPUT -p tcp -m tcp --sport 1000 --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT"},
      {"-A INPUT -p tcp --tcp-flags ALL NONE -j DROP",
       "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP"},
      {"-A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
       "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT"},
      {"-A INPUT -p icmp --icmp-type port-unreachable -j ACCEPT",
       "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT"},
      {"-A INPUT -p icmp -j ACCEPT", "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT"},
      {"-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT",
       "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT"},
      {"-A INPUT -m conntrack --ctstate new,established -j ACCEPT",
       "-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT"},
      {"-A INPUT -p tcp -m multiport --destination-ports 80,443 -j ACCEPT",
       "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT"},
      {"-A INPUT ! -s 10.0.0.0/8 -p 17 --dport 1:100 -j DROP",
       "-A INPUT ! -s 10.0.0.0/8 -p udp -m udp --dport 1:100 -j DROP"},
      {"-A INPUT -i eth0 ! -s 10.0.0.0/8 -j DROP", "-A INPUT ! -s 10.0.0.0/8 -i eth0 -j DROP"},
      {"-A INPUT -p tcp --dport 22:22 -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
      {"-A INPUT -p tcp --dport :1024 -j ACCEPT",
       "-A INPUT -p tcp -m tcp --dport 0:1024 -j ACCEPT"},
      {"-A INPUT -p tcp --dport 1024: -j ACCEPT",
       "-A INPUT -p tcp -m tcp --dport 1024:65535 -j ACCEPT"},
      {"-A INPUT -p all -j LOG --log-prefix \"dropped: \" --log-level warning",
       "-A INPUT -j LOG --log-prefix \"dropped: \""},
      {"-A INPUT -m limit --limit 5/minute --limit-burst 5 -j LOG",
       "-A INPUT -m limit --limit 5/min -j LOG"},
      {"-A INPUT -m limit --limit 3/s --limit-burst 10 -j LOG --log-level info",
       "-A INPUT -m limit --limit 3/sec --limit-burst 10 -j LOG --log-level 6"},
      {"-A INPUT -m limit --limit 60/minute -j ACCEPT",
       "-A INPUT -m limit --limit 1/sec -j ACCEPT"},
      {"-A INPUT -m recent --set",
       "-A INPUT -m recent --set --name DEFAULT --mask "
       "255.255.255.255 --rsource"},
      {"-A INPUT -j REJECT", "-A INPUT -j REJECT --reject-with icmp-port-unreachable"},
      {"-A INPUT -p tcp -j REJECT --reject-with tcp-rst",
       "-A INPUT -p tcp -j REJECT --reject-with tcp-reset"},
      {"-A INPUT -s 10.1.2.3/255.0.255.0 -j DROP", "-A INPUT -s 10.0.2.0/255.0.255.0 -j DROP"},
      {"-A INPUT -s 0.0.0.0/0 -p 47 -j ACCEPT", "-A INPUT -p gre -j ACCEPT"},
      {"-A INPUT -m mark --mark 1/0xff -j ACCEPT", "-A INPUT -m mark --mark 0x1/0xff -j ACCEPT"},
      {"-A INPUT -m connlimit --connlimit-above 10 -j DROP",
       "-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr -j DROP"},
      {"-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-name x --hashlimit-mode srcip "
       "-j ACCEPT",
       "-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-mode srcip "
       "--hashlimit-name x -j ACCEPT"},
      {"-A INPUT -m tcp -p tcp --dport 22 -j ACCEPT",
       "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
      {"-A INPUT -p tcp --dport ! 22 -j DROP", "-A INPUT -p tcp -m tcp ! --dport 22 -j DROP"},
      {"--append INPUT -p tcp --dport 22 -j ACCEPT",
       "[0:0] -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
      {"-I INPUT 1 -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"},
      {"-A PREROUTING -j MARK --set-mark 1", "-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff"},
      {"-A PREROUTING -j CONNMARK --restore-mark",
       "-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"},
  };
  for (const auto& [written, saved] : pairs) {
    const auto a = own(written), b = own(saved);
    EXPECT_EQ(a.size(), 1u) << written;
    EXPECT_EQ(a, b) << written << "\n" << saved;
  }
  // The canonical string itself.
  EXPECT_EQ(own("-A POSTROUTING --source 10.8.0.0/8 --out-interface eth0 --jump MASQUERADE", "nat"),
            (std::set<std::string>{"nat -A POSTROUTING -s 10.0.0.0/8 -o eth0 -j MASQUERADE"}));
}

TEST(OwnIptablesRules, AddressListsMakeOneRuleEach) {
  EXPECT_EQ(own("-A INPUT -s 1.2.3.4,5.6.7.8 -j DROP"),
            own("-A INPUT -s 1.2.3.4/32 -j DROP\n-A INPUT -s 5.6.7.8/32 -j DROP"));
  // A hostile list stops at a bound.
  std::string many = "-A INPUT -s 10.0.0.1";
  for (int i = 0; i < 5000; ++i) many += ",10.0.0.1";
  many += " -d 10.0.0.2";
  for (int i = 0; i < 5000; ++i) many += fmt::format(",10.1.{}.{}", i / 250, i % 250);
  EXPECT_LE(own(many + " -j DROP").size(), 256u);
}

TEST(OwnIptablesRules, IPv6AddressesAndDefaults) {
  const audit::RuleReading v6{true, std::nullopt, true, nullptr};
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"-A INPUT -s 2001:DB8:0:0::1 -p icmpv6 -j ACCEPT",
       "-A INPUT -s 2001:db8::1/128 -p ipv6-icmp -j ACCEPT"},
      {"-A INPUT -s 2001:db8::/32 -p 58 --icmpv6-type echo-request -j ACCEPT",
       "-A INPUT -s 2001:db8::/32 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT"},
      {"-A INPUT -d fe80::1/64 -p tcp --dport 22 -j ACCEPT",
       "-A INPUT -d fe80::/64 -p tcp -m tcp --dport 22 -j ACCEPT"},
      {"-A INPUT -s ::ffff:10.0.0.1 -j DROP", "-A INPUT -s ::ffff:10.0.0.1/128 -j DROP"},
      {"-A INPUT -s ::/0 -j DROP", "-A INPUT -j DROP"},
      {"-A INPUT -j REJECT", "-A INPUT -j REJECT --reject-with icmp6-port-unreachable"},
      {"-A INPUT -j REJECT --reject-with adm-prohibited",
       "-A INPUT -j REJECT --reject-with icmp6-adm-prohibited"},
      {"-A INPUT -m recent --set",
       "-A INPUT -m recent --set --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
       "--rsource"},
  };
  for (const auto& [written, saved] : pairs) {
    const auto a = own(written, "filter", v6), b = own(saved, "filter", v6);
    EXPECT_EQ(a.size(), 1u) << written;
    EXPECT_EQ(a, b) << written << "\n" << saved;
  }
  // IPv6's REJECT default is not IPv4's.
  EXPECT_NE(own("-A INPUT -j REJECT", "filter", v6),
            own("-A INPUT -j REJECT --reject-with icmp-port-unreachable", "filter", v6));
}

TEST(OwnIptablesRules, ServiceNamesResolveThroughEtcServices) {
  const audit::ServicePorts services = audit::parse_etc_services("ssh 22/tcp\nhttp 80/tcp www\n");
  const audit::RuleReading how{true, std::nullopt, false, &services};
  EXPECT_EQ(own("-A INPUT -p tcp --dport ssh -j ACCEPT", "filter", how),
            own("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "filter", how));
  EXPECT_EQ(own("-A INPUT -p tcp -m multiport --dports ssh,www -j ACCEPT", "filter", how),
            own("-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT", "filter", how));
  // Without /etc/services a name stays a name (and differs from the number).
  EXPECT_NE(own("-A INPUT -p tcp --dport ssh -j ACCEPT"),
            own("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"));
}

TEST(OwnIptablesRules, RulesThatTrulyDifferStayDifferent) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"-A POSTROUTING -s 10.8.0.0/16 -j MASQUERADE", "-A POSTROUTING -s 10.0.0.0/8 -j MASQUERADE"},
      {"-A INPUT -s 192.0.2.7 -j DROP", "-A INPUT -s 192.0.2.0/24 -j DROP"},
      {"-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp --sport 22 -j ACCEPT"},
      {"-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p udp --dport 22 -j ACCEPT"},
      {"-A INPUT -s 10.0.0.0/8 -j DROP", "-A INPUT ! -s 10.0.0.0/8 -j DROP"},
      {"-A INPUT -p tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp ! --dport 22 -j ACCEPT"},
      {"-A INPUT -m comment --comment \"a b\" -j ACCEPT",
       "-A INPUT -m comment --comment a -m comment --comment b -j ACCEPT"},
      {"-A INPUT -j REJECT", "-A INPUT -j REJECT --reject-with icmp-host-prohibited"},
      {"-A INPUT -j LOG --log-level 3", "-A INPUT -j LOG"},
      {"-A INPUT -m limit --limit 5/min -j ACCEPT", "-A INPUT -m limit --limit 5/sec -j ACCEPT"},
      {"-A INPUT -p icmp --icmp-type 3 -j ACCEPT", "-A INPUT -p icmp --icmp-type 3/3 -j ACCEPT"},
      {"-A INPUT -m state --state NEW -j ACCEPT",
       "-A INPUT -m state --state NEW,INVALID -j ACCEPT"},
      {"-A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.2:8080",
       "-A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.3:8080"},
  };
  for (const auto& [a, b] : pairs) EXPECT_NE(own(a), own(b)) << a << "\n" << b;
}

TEST(OwnIptablesRules, HostileLinesEndAndKeepTheirRule) {
  EXPECT_EQ(own("-A INPUT -m comment --comment \"unterminated -j ACCEPT").size(), 1u);
  EXPECT_EQ(own("-A INPUT ! ! -j ACCEPT").size(), 1u);
  EXPECT_EQ(own("-A INPUT -s 10.0.0.1/99 -s nonsense/x -p 9999 --dport ! -j").size(), 1u);
  EXPECT_EQ(own("-A INPUT -m limit --limit 0/sec --limit 99999999999/sec -j LOG").size(), 1u);
  EXPECT_TRUE(own("-A").empty());
  EXPECT_TRUE(own("-N chain").empty());
}

// iptables-restore reads the table as strtok does: the first blank-separated
// word, quotes and all. A quote must not glue the rest of the line to it.
TEST(OwnIptablesRules, TableNameIsTheFirstWordEvenAfterAQuote) {
  EXPECT_EQ(audit::own_iptables_rules("*\"*f -A f2b-x DROP\n-A INPUT -j DROP\nCOMMIT\n"),
            (std::set<std::string>{"\"*f -A INPUT -j DROP"}));
  EXPECT_EQ(audit::own_iptables_rules("*filter extra\n-A INPUT -j DROP\nCOMMIT\n"),
            (std::set<std::string>{"filter -A INPUT -j DROP"}));
}

TEST(OwnIptablesRules, DockersForwardPolicyAndHairpinRulesAreDockers) {
  const auto rules = audit::own_iptables_rules(
      "*filter\n:FORWARD DROP [0:0]\n:DOCKER - [0:0]\nCOMMIT\n*nat\n:DOCKER - [0:0]\n"
      "-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 5432 -j "
      "MASQUERADE\nCOMMIT\n");
  EXPECT_TRUE(rules.empty());
  // Without Docker, a FORWARD policy of DROP is the owner's.
  EXPECT_EQ(audit::own_iptables_rules("*filter\n:FORWARD DROP [0:0]\nCOMMIT\n").size(), 1u);
}

TEST(OwnIptablesRules, DockerUserRulesAreTheOwnersAndIPv6HairpinsAreDockers) {
  const auto rules = audit::own_iptables_rules(
      "*filter\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n"
      "-A DOCKER-USER -s 203.0.113.0/24 -p tcp --dport 5432 -j DROP\n-A DOCKER-USER -j RETURN\n"
      "COMMIT\n*nat\n-A POSTROUTING -s fd00::2/128 -d fd00::2/128 -p tcp --dport 80 -j "
      "MASQUERADE\nCOMMIT\n");
  EXPECT_EQ(rules,
            (std::set<std::string>{
                "filter -A DOCKER-USER -s 203.0.113.0/24 -p tcp -m tcp --dport 5432 -j DROP"}));
}

TEST(OwnIptablesRules, PoliciesCountAndToolChainsDoNot) {
  const auto rules = audit::own_iptables_rules(
      "# Generated\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:f2b-sshd - [0:0]\n"
      ":DOCKER-USER - [0:0]\n-A INPUT -j f2b-sshd\n-A f2b-sshd -s 203.0.113.5/32 -j REJECT\n"
      "-A DOCKER-USER -j RETURN\n-A INPUT  -p tcp   --dport 22 -j ACCEPT\nCOMMIT\n");
  EXPECT_EQ(rules, (std::set<std::string>{"filter :INPUT DROP",
                                          "filter -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"}));
}

// As iptables-save prints them: CrowdSec's firewall bouncer (iptables mode,
// deny_log on), fail2ban's iptables-ipset actions, Azure's WALinuxAgent.
const char* kToolRules =
    "*security\n:OUTPUT ACCEPT [0:0]\n"
    "-A OUTPUT -d 168.63.129.16/32 -p tcp -m tcp --dport 53 -j ACCEPT\n"
    "-A OUTPUT -d 168.63.129.16/32 -p tcp -m owner --uid-owner 0 -j ACCEPT\n"
    "-A OUTPUT -d 168.63.129.16/32 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP\n"
    "COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:CROWDSEC_CHAIN - [0:0]\n:CROWDSEC_LOG - [0:0]\n"
    "-A INPUT -j CROWDSEC_CHAIN\n"
    "-A INPUT -p tcp -m multiport --dports 22 -m set --match-set f2b-sshd src -j REJECT "
    "--reject-with icmp-port-unreachable\n"
    "-A INPUT -p tcp -m set --match-set F2B-Recidive src -j DROP\n"
    "-A CROWDSEC_CHAIN -m set --match-set crowdsec-blacklists-0 src -j CROWDSEC_LOG\n"
    "-A CROWDSEC_LOG -j LOG --log-prefix \"crowdsec: \"\n-A CROWDSEC_LOG -j DROP\n"
    "-A Crowdsec-Custom -j DROP\n"
    "COMMIT\n";

TEST(OwnIptablesRules, CrowdSecFail2banIpsetAndAzureAgentRulesAreTheTools) {
  EXPECT_TRUE(audit::own_iptables_rules(kToolRules).empty());
  // The owner's own ipset rule, and the WireServer address outside the
  // agent's security/OUTPUT rules, stay the owner's.
  EXPECT_EQ(own("-A INPUT -m set --match-set blocklist src -j DROP").size(), 1u);
  EXPECT_EQ(own("-A FORWARD -d 168.63.129.16/32 -p tcp -j DROP").size(), 1u);
  EXPECT_EQ(own("-A OUTPUT -d 168.63.129.16/32 -p tcp -j DROP").size(), 1u);
}

host::Snapshot snapshot_v4(const std::string& text) {
  host::Snapshot live;
  live.network_collected = true;
  live.firewall.v4.read = true;
  live.firewall.v4.text = text;
  return live;
}

TEST(FirewallPersistenceTools, ToolRulesAloneAreQuietAndAnOwnRuleBesideThemFires) {
  Tree t;
  EXPECT_TRUE(judge(t, snapshot_v4(kToolRules)).empty());
  const auto f = judge(t, snapshot_v4(std::string(kToolRules) +
                                      "*filter\n-A INPUT -p tcp -m tcp --dport 5432 -j DROP\n"
                                      "COMMIT\n"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].title,
            "1 live IPv4 firewall rule but nothing loads them at boot (/etc/iptables/rules.v4 does "
            "not exist)");
  EXPECT_EQ(f[0].subject,
            json({{"kind", "firewall"}, {"family", "IPv4"}, {"path", "/etc/iptables/rules.v4"}}));
  EXPECT_EQ(f[0].evidence["live_rules"], 1);
  EXPECT_EQ(f[0].evidence["examples"],
            json({"filter -A INPUT -p tcp -m tcp --dport 5432 -j DROP"}));
}

TEST(FirewallPersistenceUfw, NatRulesInUfwsBeforeRulesAreLoadedAtBoot) {
  Tree t;
  t.write("/etc/ufw/ufw.conf", "ENABLED=yes\n");
  // Hand-written: ufw loads it with iptables-restore, which stores 10.0.0.0/8.
  t.write("/etc/ufw/before.rules",
          "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.8.0.0/8 -o eth0 -j "
          "MASQUERADE\nCOMMIT\n*filter\n:ufw-before-input - [0:0]\n"
          "-A ufw-before-input -i lo -j ACCEPT\nCOMMIT\n");
  auto live = snapshot_v4(
      "*filter\n:INPUT DROP [0:0]\n:ufw-before-input - [0:0]\n-A INPUT -j ufw-before-input\n"
      "-A ufw-before-input -i lo -j ACCEPT\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n"
      "-A POSTROUTING -s 10.0.0.0/8 -o eth0 -j MASQUERADE\nCOMMIT\n");
  EXPECT_TRUE(judge(t, live).empty());
  // A rule typed beside ufw is not restored by it.
  live.firewall.v4.text += "*filter\n-A INPUT -p tcp -m tcp --dport 5432 -j DROP\nCOMMIT\n";
  const auto f = judge(t, live);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].evidence["not_saved"][0], "filter -A INPUT -p tcp -m tcp --dport 5432 -j DROP");
  EXPECT_EQ(f[0].evidence["saved_not_live_count"], 0);
}

// --- nftables ---

TEST(NftConfig, IncludesAreFollowedAsNftFollowsThem) {
  Tree t;
  t.write("/etc/nftables.conf",
          "#!/usr/sbin/nft -f\nflush ruleset\n# table inet commented\n"
          "table inet filter {\n  chain input { type filter hook input priority 0; }\n}\n"
          "include \"/etc/nftables.d/*.nft\"\ninclude \"extra.nft\"\n"
          "include \"./srv/nft/rel.nft\"\ninclude \"/etc/missing.nft\"\n");
  t.write("/etc/nftables.d/10-web.nft",
          "table inet web { chain c { tcp dport 80 accept; } }\ninclude \"nested/*.conf\"\n");
  t.write("/etc/nested/inner.conf", "table netdev \"inner\" {}\n");
  t.write("/etc/nftables.d/.hidden.nft", "table inet hidden {}\n");
  t.mkdir("/etc/nftables.d/dir.nft", 0755);
  t.write("/etc/extra.nft", "table ip6 extra {}\ntable plain {}\n");
  t.write("/srv/nft/rel.nft", "add table bridge rel\n");
  audit::ConfigFiles files;
  files.root = t.dir.path();
  const auto conf = audit::read_nft_config(files, "/etc/nftables.conf");
  ASSERT_TRUE(conf);
  EXPECT_EQ(conf->tables, (std::set<std::string>{"inet filter", "inet web", "netdev inner",
                                                 "ip6 extra", "ip plain", "bridge rel"}));
  EXPECT_EQ(conf->files, (std::vector<std::string>{
                             "/etc/nftables.conf", "/etc/nftables.d/10-web.nft",
                             "/etc/nested/inner.conf", "/etc/extra.nft", "/srv/nft/rel.nft"}));
  EXPECT_FALSE(audit::read_nft_config(files, "/etc/absent.conf"));
}

TEST(NftConfig, LoopsAndDeepChainsEndAndLinksStayInTheRoot) {
  Tree t;
  t.write("/etc/nftables.conf",
          "include \"/etc/nftables.conf\"\ninclude \"/etc/chain/0.nft\"\n"
          "include \"/etc/link.nft\"\n");
  for (int i = 0; i < 30; ++i)
    t.write(fmt::format("/etc/chain/{}.nft", i),
            fmt::format("table inet t{}\ninclude \"/etc/chain/{}.nft\"\n", i, i + 1));
  // An absolute link is resolved inside the scanned root, not on this host.
  t.symlink("/etc/real.nft", "/etc/link.nft");
  t.write("/etc/real.nft", "table inet real {}\n");
  audit::ConfigFiles files;
  files.root = t.dir.path();
  const auto conf = audit::read_nft_config(files, "/etc/nftables.conf");
  ASSERT_TRUE(conf);
  EXPECT_TRUE(conf->tables.count("inet t15"));  // nftables.conf is level 0, t15 level 16
  EXPECT_FALSE(conf->tables.count("inet t16"));
  EXPECT_TRUE(conf->tables.count("inet real"));
}

host::Snapshot snapshot_nft(const std::vector<std::pair<std::string, std::string>>& tables) {
  host::Snapshot live;
  live.network_collected = true;
  live.firewall.nft_read = true;
  json items = json::array();
  for (const auto& [family, table] : tables)
    items.push_back({{"rule", {{"family", family}, {"table", table}, {"chain", "c"}}}});
  live.firewall.nft_json = json({{"nftables", items}}).dump();
  return live;
}

TEST(FirewallPersistenceNft, TablesInIncludedFilesAndToolsTablesAreQuiet) {
  Tree t;
  enable_unit(t, "nftables.service", "/usr/sbin/nft -f /etc/nftables.conf");
  t.write("/etc/nftables.conf", "include \"/etc/nftables.d/*.nft\"\n");
  t.write("/etc/nftables.d/web.nft", "table inet web {}\n");
  auto live = snapshot_nft({{"inet", "web"},
                            {"inet", "lxd"},
                            {"inet", "incus"},
                            {"inet", "netavark"},
                            {"ip", "walinuxagent"},
                            {"ip", "filter"}});
  EXPECT_TRUE(judge(t, live).empty());
  live = snapshot_nft({{"inet", "web"}, {"inet", "other"}});
  const auto f = judge(t, live);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::medium);
  EXPECT_EQ(f[0].title,
            "nftables table inet other runs but /etc/nftables.conf does not declare it");
  EXPECT_EQ(f[0].subject,
            json({{"kind", "firewall"}, {"family", "nftables"}, {"path", "/etc/nftables.conf"}}));
  EXPECT_EQ(f[0].evidence,
            json({{"tables", {"inet other"}},
                  {"config_files", {"/etc/nftables.conf", "/etc/nftables.d/web.nft"}}}));
}

}  // namespace
}  // namespace hostward::itest
