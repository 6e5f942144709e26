#include <gtest/gtest.h>

#include "exposure/firewall.h"
#include "firewall_test_support.h"

namespace hostward::exposure {
namespace {

using testing::docker_host;
using testing::firewall;
using testing::tcp_any;

// Docker's rules for a container 172.17.0.2 publishing 5432, and the seed's
// remediation rule in INPUT.
const char* kSeed = R"(*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 5432 -j DNAT --to-destination 172.17.0.2:5432
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
-A INPUT -p tcp -m tcp --dport 5432 -j DROP
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 5432 -j ACCEPT
-A DOCKER-USER -j RETURN
COMMIT
)";

TEST(FirewallEngine, DockerPublishBypassesInputDrop) {
  const auto fw = firewall(kSeed);
  const auto v = tcp_any(fw, docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::reachable) << v.reason;
  EXPECT_TRUE(v.forwarded);
  EXPECT_EQ(v.translated_to, "172.17.0.2:5432");
  ASSERT_FALSE(v.path.empty());
  EXPECT_EQ(v.path.back().rule,
            "-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 5432 -j "
            "ACCEPT");
  EXPECT_EQ(v.path.front().table, "nat");
}

TEST(FirewallEngine, HostPortBehindInputDropIsBlocked) {
  const auto fw = firewall(kSeed);
  // 5433 is not DNAT'd: INPUT, policy ACCEPT, nothing drops it.
  EXPECT_EQ(tcp_any(fw, docker_host(), 5433).reach, Reach::reachable);
  auto fw2 = firewall(std::string(kSeed) + R"(*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 6000 -j DROP
COMMIT
)");
  const auto v = tcp_any(fw2, docker_host(), 6000);
  EXPECT_EQ(v.reach, Reach::blocked);
  EXPECT_EQ(v.path.back().rule, "-A INPUT -p tcp -m tcp --dport 6000 -j DROP");
  EXPECT_EQ(v.path.back().table, "mangle");
}

TEST(FirewallEngine, DockerUserDropByOriginalPort) {
  std::string s = kSeed;
  s.replace(s.find("-A DOCKER-USER -j RETURN"), 24,
            "-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 5432 -j DROP\n"
            "-A DOCKER-USER -j RETURN");
  const auto v = tcp_any(firewall(s), docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::blocked);
  EXPECT_EQ(v.path.back().rule, "-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 5432 -j DROP");
}

TEST(FirewallEngine, PolicyDropWithAnAccept) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
)";
  const auto fw = firewall(s);
  const auto ssh = tcp_any(fw, docker_host(), 22);
  EXPECT_EQ(ssh.reach, Reach::reachable);
  EXPECT_EQ(ssh.path.back().line, 7);
  const auto pg = tcp_any(fw, docker_host(), 5432);
  EXPECT_EQ(pg.reach, Reach::blocked);
  EXPECT_EQ(pg.path.back().rule, "policy DROP");
  EXPECT_EQ(pg.path.back().chain, "INPUT");
}

TEST(FirewallEngine, MultiportRangesAndNegation) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m multiport --dports 80,443,8000:8010 -j ACCEPT
-A INPUT -p tcp -m multiport ! --dports 1:1024 -j ACCEPT
COMMIT
)";
  const auto fw = firewall(s);
  EXPECT_EQ(tcp_any(fw, docker_host(), 443).reach, Reach::reachable);
  EXPECT_EQ(tcp_any(fw, docker_host(), 8005).reach, Reach::reachable);
  EXPECT_EQ(tcp_any(fw, docker_host(), 5432).reach, Reach::reachable);
  EXPECT_EQ(tcp_any(fw, docker_host(), 25).reach, Reach::blocked);
}

TEST(FirewallEngine, SourceRestrictionIsRestrictedNotReachable) {
  const char* s = R"(*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 5432 ! -s 192.0.2.0/24 -j DROP
COMMIT
)";
  const auto v = tcp_any(firewall(s), docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::restricted) << v.reason;
  ASSERT_EQ(v.allowed_from.size(), 1u);
  EXPECT_EQ(v.allowed_from[0], "192.0.2.0/24");
}

TEST(FirewallEngine, ReturnFromUserChainFallsToPolicy) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
:allow - [0:0]
-A INPUT -j allow
-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT
-A allow -p tcp -m tcp --dport 8080 -j RETURN
-A allow -p tcp -j ACCEPT
COMMIT
)";
  const auto fw = firewall(s);
  const auto v8080 = tcp_any(fw, docker_host(), 8080);
  EXPECT_EQ(v8080.reach, Reach::reachable);
  EXPECT_EQ(v8080.path.back().line, 5);  // INPUT's own ACCEPT after the RETURN
  EXPECT_EQ(tcp_any(fw, docker_host(), 9000).path.back().chain, "allow");
}

TEST(FirewallEngine, GotoReturnsToTheCallersCaller) {
  const char* s = R"(*filter
:INPUT ACCEPT [0:0]
:a - [0:0]
:b - [0:0]
-A INPUT -j a
-A INPUT -p tcp -m tcp --dport 7000 -j DROP
-A a -g b
-A a -j DROP
-A b -p tcp -m tcp --dport 1 -j DROP
COMMIT
)";
  const auto fw = firewall(s);
  // b falls off its end: back in INPUT (not in a), which drops 7000 only.
  EXPECT_EQ(tcp_any(fw, docker_host(), 7000).reach, Reach::blocked);
  EXPECT_EQ(tcp_any(fw, docker_host(), 7001).reach, Reach::reachable);
}

TEST(FirewallEngine, UnknownMatchThatDecidesIsUnknownWithTheRule) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m set --match-set office dst -j ACCEPT
COMMIT
)";
  const auto v = tcp_any(firewall(s), docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::unknown);
  EXPECT_EQ(v.unknown_rule, "-A INPUT -p tcp -m set --match-set office dst -j ACCEPT");
}

TEST(FirewallEngine, BanListsDoNotBlockTheInternet) {
  // fail2ban with ipset, CSF's deny list, plain fail2ban bans: they single out
  // attackers already seen, not a new source.
  const char* s = R"(*filter
:INPUT ACCEPT [0:0]
:f2b-sshd - [0:0]
-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd
-A INPUT -p tcp -m set --match-set f2b-sshd src -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p tcp -m connlimit --connlimit-above 50 --connlimit-mask 32 --connlimit-saddr -j DROP
-A f2b-sshd -s 198.51.100.23/32 -j REJECT --reject-with icmp-port-unreachable
-A f2b-sshd -j RETURN
COMMIT
)";
  const auto v = tcp_any(firewall(s), docker_host(), 22);
  EXPECT_EQ(v.reach, Reach::reachable) << v.reason;
}

TEST(FirewallEngine, PortKnockingAcceptIsUnknown) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m tcp --dport 22 -m recent --rcheck --seconds 30 --name knocked --rsource -j ACCEPT
COMMIT
)";
  EXPECT_EQ(tcp_any(firewall(s), docker_host(), 22).reach, Reach::unknown);
}

TEST(FirewallEngine, OtherProtocolsNeverMatchATcpPacket) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p vrrp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
)";
  const auto fw = firewall(s);
  EXPECT_EQ(tcp_any(fw, docker_host(), 5432).reach, Reach::blocked);
  EXPECT_EQ(tcp_any(fw, docker_host(), 22).reach, Reach::reachable);
}

TEST(FirewallEngine, EveryAddressOfTheHostIsTried) {
  auto h = docker_host();
  h.interfaces[1].addresses.push_back(*parse_ip("198.51.100.5"));
  h.interfaces[1].networks.push_back(*parse_prefix("198.51.100.0/24"));
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -d 198.51.100.5/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
)";
  EXPECT_EQ(tcp_any(firewall(s), h, 80).reach, Reach::reachable);
}

TEST(FirewallEngine, UnknownForSomeSourcesIsNotBlocked) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -s 198.51.100.0/24 -m set --match-set ok src -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
)";
  EXPECT_EQ(tcp_any(firewall(s), docker_host(), 22).reach, Reach::unknown);
}

TEST(FirewallEngine, UnreadLinesTurnBlockedIntoUnknown) {
  const char* s =
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 \"-j\n"
      "-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n";
  const auto fw = firewall(s);
  ASSERT_FALSE(fw.rules.errors.empty());
  EXPECT_EQ(tcp_any(fw, docker_host(), 22).reach, Reach::unknown);
  EXPECT_EQ(tcp_any(fw, docker_host(), 80).reach, Reach::reachable);
}

TEST(FirewallEngine, ForeignNatChainMakesBlockedUnknown) {
  auto fw = firewall("*filter\n:INPUT DROP [0:0]\nCOMMIT\n");
  fw.foreign_nat_chains.push_back("ip docker-bridges nat-prerouting (nat, hook prerouting)");
  EXPECT_EQ(tcp_any(fw, docker_host(), 5432).reach, Reach::unknown);
}

TEST(FirewallEngine, ManyBansStayFast) {
  std::string s = "*filter\n:INPUT ACCEPT [0:0]\n";
  for (int i = 0; i < 5000; ++i)
    s += "-A INPUT -s 10." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
         ".1/32 -j REJECT --reject-with icmp-port-unreachable\n";
  s += "COMMIT\n";
  EXPECT_EQ(tcp_any(firewall(s), docker_host(), 22).reach, Reach::reachable);
}

TEST(FirewallEngine, UnknownMatchThatCannotChangeTheOutcomeIsIgnored) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m set --match-set friends src -j DROP
-A INPUT -p tcp -m u32 --u32 "0x0>>0x16&0x3c@0x8=0x1" -j LOG
COMMIT
)";
  // Whatever the set holds, policy DROP ends it.
  const auto v = tcp_any(firewall(s), docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::blocked);
}

TEST(FirewallEngine, UfwStyleChains) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
:ufw-after-input - [0:0]
:ufw-logging-deny - [0:0]
:ufw-reject-input - [0:0]
-A INPUT -j ufw-before-input
-A INPUT -j ufw-after-input
-A INPUT -j ufw-reject-input
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny
-A ufw-before-input -j ufw-user-input
-A ufw-user-input -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name DEFAULT --mask 255.255.255.255 --rsource
-A ufw-user-input -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds 30 --hitcount 6 --name DEFAULT --mask 255.255.255.255 --rsource -j DROP
-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
-A ufw-user-input -p tcp -m tcp --dport 3306 -j DROP
-A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "
COMMIT
)";
  const auto fw = firewall(s);
  const auto ssh = tcp_any(fw, docker_host(), 22);
  EXPECT_EQ(ssh.reach, Reach::reachable);
  EXPECT_EQ(ssh.path.back().chain, "ufw-user-input");
  EXPECT_EQ(tcp_any(fw, docker_host(), 3306).reach, Reach::blocked);
  EXPECT_EQ(tcp_any(fw, docker_host(), 8080).path.back().rule, "policy DROP");
}

TEST(FirewallEngine, Ipv6) {
  const char* s = R"(*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT
-A INPUT -s 2001:db8:99::/48 -p tcp -j ACCEPT
COMMIT
)";
  const auto fw = firewall(s, 6);
  EXPECT_EQ(tcp_any(fw, docker_host(), 443, 6).reach, Reach::reachable);
  const auto v = tcp_any(fw, docker_host(), 5432, 6);
  EXPECT_EQ(v.reach, Reach::restricted);
  EXPECT_EQ(v.allowed_from.at(0), "2001:db8:99::/48");
}

TEST(FirewallEngine, PublishOnLoopbackIsNotDnatFromOutside) {
  std::string s = kSeed;
  s.replace(s.find("-A DOCKER ! -i docker0 -p tcp -m tcp --dport 5432"), 49,
            "-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 5432");
  const auto v = tcp_any(firewall(s), docker_host(), 5432);
  // Not translated: INPUT, which drops 5432.
  EXPECT_EQ(v.reach, Reach::blocked);
  EXPECT_FALSE(v.forwarded);
}

TEST(FirewallEngine, ForwardingOffBlocksDnat) {
  auto fw = firewall(kSeed);
  fw.forwarding = false;
  const auto v = tcp_any(fw, docker_host(), 5432);
  EXPECT_EQ(v.reach, Reach::blocked);
  EXPECT_NE(v.reason.find("forwarding is off"), std::string::npos);
}

TEST(FirewallEngine, UnreadFirewallIsUnknown) {
  Firewall fw;
  fw.unread_reason = "iptables-save: permission denied";
  const auto v = tcp_any(fw, docker_host(), 22);
  EXPECT_EQ(v.reach, Reach::unknown);
}

TEST(FirewallEngine, ForeignNftChainMakesReachableUnknownButNotBlocked) {
  auto fw =
      firewall("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 23 -j DROP\nCOMMIT\n");
  fw.foreign_chains.push_back("table inet filter chain input (hook input, policy drop, 3 rules)");
  EXPECT_EQ(tcp_any(fw, docker_host(), 22).reach, Reach::unknown);
  EXPECT_EQ(tcp_any(fw, docker_host(), 23).reach, Reach::blocked);
}

TEST(FirewallEngine, RedirectToAnotherLocalPort) {
  const char* s = R"(*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080
COMMIT
*filter
:INPUT DROP [0:0]
-A INPUT -p tcp -m conntrack --ctstate NEW,DNAT -m tcp --dport 8080 -j ACCEPT
COMMIT
)";
  const auto v = tcp_any(firewall(s), docker_host(), 80);
  EXPECT_EQ(v.reach, Reach::reachable);
  EXPECT_EQ(v.translated_to, "203.0.113.1:8080");
}

TEST(FirewallEngine, ChainLoopIsUnknown) {
  const char* s = R"(*filter
:INPUT ACCEPT [0:0]
:a - [0:0]
:b - [0:0]
-A INPUT -j a
-A a -j b
-A b -j a
COMMIT
)";
  EXPECT_EQ(tcp_any(firewall(s), docker_host(), 1).reach, Reach::unknown);
}

TEST(FirewallEngine, MarksSetAndMatched) {
  const char* s = R"(*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 9100 -j MARK --set-xmark 0x4000/0x4000
COMMIT
*filter
:INPUT ACCEPT [0:0]
-A INPUT -m mark --mark 0x4000/0x4000 -j DROP
COMMIT
)";
  const auto fw = firewall(s);
  EXPECT_EQ(tcp_any(fw, docker_host(), 9100).reach, Reach::blocked);
  EXPECT_EQ(tcp_any(fw, docker_host(), 9101).reach, Reach::reachable);
}

}  // namespace
}  // namespace hostward::exposure
