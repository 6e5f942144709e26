#include "probe/targets.h"

#include <gtest/gtest.h>

namespace hostward::probe {
namespace {

TEST(Targets, AddressesRangesAndNames) {
  const auto hosts =
      expand_targets({"192.0.2.10", "2001:db8::1", "198.51.100.0/30", "localhost"}, 256);
  ASSERT_GE(hosts.size(), 5u);
  EXPECT_EQ(hosts[0].address.str(), "192.0.2.10");
  EXPECT_EQ(hosts[1].address.family, 6);
  // A /30 holds two usable addresses: network and broadcast are left out.
  EXPECT_EQ(hosts[2].address.str(), "198.51.100.1");
  EXPECT_EQ(hosts[3].address.str(), "198.51.100.2");
  EXPECT_EQ(hosts[4].name, "localhost");
  EXPECT_EQ(expand_targets({"203.0.113.7/32"}, 4).size(), 1u);
  EXPECT_EQ(expand_targets({"2001:db8::/126"}, 8).size(), 4u);
}

TEST(Targets, CapAndBadInput) {
  EXPECT_THROW(expand_targets({"10.0.0.0/16"}, 256), std::invalid_argument);
  EXPECT_THROW(expand_targets({"10.0.0.0/4"}, 1 << 30), std::invalid_argument);
  EXPECT_THROW(expand_targets({"192.0.2.0/33"}, 256), std::invalid_argument);
  EXPECT_THROW(expand_targets({"no such host.invalid"}, 256), std::invalid_argument);
  EXPECT_THROW(expand_targets({"name.invalid"}, 256), std::invalid_argument);
}

TEST(Targets, Ports) {
  EXPECT_EQ(parse_ports("22,80,8000-8002"), (std::vector<int>{22, 80, 8000, 8001, 8002}));
  EXPECT_EQ(parse_ports("-").size(), 65535u);
  EXPECT_EQ(parse_ports("65530-").size(), 6u);
  EXPECT_EQ(parse_ports(""), default_ports());
  EXPECT_THROW(parse_ports("0"), std::invalid_argument);
  EXPECT_THROW(parse_ports("70000"), std::invalid_argument);
  EXPECT_THROW(parse_ports("80-22"), std::invalid_argument);
  EXPECT_THROW(parse_ports("ssh"), std::invalid_argument);
}

}  // namespace
}  // namespace hostward::probe
