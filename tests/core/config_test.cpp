#include "core/config.h"

#include <gtest/gtest.h>

namespace hostward {
namespace {

TEST(Config, EmptyGivesDefaults) {
  const Config c = parse_config("");
  EXPECT_EQ(c.hunt.high_cpu_percent, 90.0);
  EXPECT_EQ(c.hunt.memfd_allow, std::vector<std::string>{"runc_cloned:*"});
  EXPECT_FALSE(c.hunt.database_child_allow.empty());
}

TEST(Config, OverridesListsAndScalars) {
  const Config c = parse_config(R"(
hunt:
  database_child_allow: [cp, wal-g]
  world_writable_allow: ["/tmp/go-build*"]
  high_cpu_percent: 150
  high_cpu_min_age_s: 10
  miner_pool_ports: [3333]
)");
  EXPECT_EQ(c.hunt.database_child_allow, (std::vector<std::string>{"cp", "wal-g"}));
  EXPECT_EQ(c.hunt.world_writable_allow, std::vector<std::string>{"/tmp/go-build*"});
  EXPECT_EQ(c.hunt.high_cpu_percent, 150.0);
  EXPECT_EQ(c.hunt.high_cpu_min_age_s, 10);
  EXPECT_EQ(c.hunt.miner_pool_ports, std::vector<int>{3333});
}

TEST(Config, BadInputThrowsWithKeyName) {
  try {
    parse_config("hunt:\n  database_child_allow: wal-g\n");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("database_child_allow"), std::string::npos);
  }
  EXPECT_THROW(parse_config("hunt:\n  high_cpu_percent: lots\n"), std::runtime_error);
  EXPECT_THROW(parse_config("[1, 2"), std::runtime_error);
  EXPECT_THROW(parse_config("- a\n- b\n"), std::runtime_error);
}

TEST(Config, MissingOptionalFileGivesDefaults) {
  EXPECT_EQ(load_config("/nonexistent/hostward.yaml", false).hunt.high_cpu_percent, 90.0);
  EXPECT_THROW(load_config("/nonexistent/hostward.yaml", true), std::runtime_error);
}

TEST(Config, GlobMatchesAcrossSlashes) {
  EXPECT_TRUE(glob_match("/tmp/go-build*", "/tmp/go-build123/b001/x.test"));
  EXPECT_TRUE(glob_match("runc_cloned:*", "runc_cloned:/proc/self/exe"));
  EXPECT_FALSE(glob_match("runc_cloned:*", "hwtest-payload"));
}

TEST(Config, AuthThresholdsAndIgnoredAddresses) {
  const Config c = parse_config(
      "auth:\n  max_failures: 8\n  window_s: 300\n  login_after_failures: 4\n"
      "  ignore_addresses: [192.0.2.10, \"2001:db8::/32\"]\n");
  EXPECT_EQ(c.auth.max_failures, 8);
  EXPECT_EQ(c.auth.window_s, 300);
  EXPECT_EQ(c.auth.login_after_failures, 4);
  EXPECT_EQ(c.auth.ignore_addresses, (std::vector<std::string>{"192.0.2.10", "2001:db8::/32"}));
  EXPECT_EQ(parse_config("").auth.max_failures, 5);
  EXPECT_THROW(parse_config("auth:\n  max_failures: 0\n"), std::runtime_error);
  EXPECT_THROW(parse_config("auth:\n  window_s: -1\n"), std::runtime_error);
  try {
    parse_config("auth:\n  ignore_addresses: [bastion]\n");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("auth.ignore_addresses: \"bastion\""), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace hostward
