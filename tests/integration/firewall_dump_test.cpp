// What the firewall collector reads from the real tools, in a test-made
// network namespace: iptables-nft, iptables-legacy, both, and nft's own tables.
#include <gtest/gtest.h>

#include <fstream>

#include "integration/support.h"

namespace hostward::itest {
namespace {

class FirewallDump : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (network namespace, iptables)";
    if (!have_program("iptables-save") || !have_program("nft"))
      GTEST_SKIP() << "iptables and nftables are not installed";
    ASSERT_TRUE(ns_.create()) << ns_.error();
  }
  void in_ns(const std::vector<std::string>& argv) {
    const auto r = ns_.run(argv);
    ASSERT_EQ(r.exit_code, 0) << argv[0] << ": " << r.err;
  }
  nlohmann::json snapshot() { return ns_.exposure_snapshot(tmp_.path()); }
  Netns ns_;
  TempDir tmp_;
};

TEST_F(FirewallDump, NftVariantRulesAreRead) {
  in_ns({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "5", "-j", "DROP"});
  const auto s = snapshot();
  EXPECT_EQ(s["firewall"]["v4"]["read"], true);
  EXPECT_NE(s["firewall"]["v4"]["text"].get<std::string>().find("--dport 5 -j DROP"),
            std::string::npos);
  EXPECT_EQ(s["firewall"]["nft_read"], true);
}

TEST_F(FirewallDump, LegacyOnlyRulesAreRead) {
  if (!have_program("iptables-legacy")) GTEST_SKIP() << "iptables-legacy is not installed";
  in_ns({"iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "6", "-j", "DROP"});
  const auto s = snapshot();
  EXPECT_EQ(s["firewall"]["v4"]["read"], true) << s["firewall"]["v4"]["error"];
  EXPECT_NE(s["firewall"]["v4"]["text"].get<std::string>().find("--dport 6 -j DROP"),
            std::string::npos);
}

TEST_F(FirewallDump, RulesInBothVariantsAreNotGuessed) {
  if (!have_program("iptables-legacy")) GTEST_SKIP() << "iptables-legacy is not installed";
  in_ns({"iptables-legacy", "-A", "INPUT", "-p", "tcp", "--dport", "6", "-j", "DROP"});
  in_ns({"iptables-nft", "-A", "INPUT", "-p", "tcp", "--dport", "7", "-j", "DROP"});
  const auto s = snapshot();
  EXPECT_EQ(s["firewall"]["v4"]["read"], false);
  EXPECT_NE(s["firewall"]["v4"]["error"].get<std::string>().find("rules in both"),
            std::string::npos);
}

}  // namespace
}  // namespace hostward::itest
