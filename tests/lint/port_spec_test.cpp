#include "lint/port_spec.h"

#include <gtest/gtest.h>

namespace hostward::lint {
namespace {

TEST(PortSpec, SplitsTheWayDockerDoes) {
  auto p = parse_port_spec("5432");
  EXPECT_EQ(p.parts, 1);
  EXPECT_EQ(p.container_port, "5432");
  p = parse_port_spec("5433:5432/udp");
  EXPECT_EQ(p.host_port, "5433");
  EXPECT_EQ(p.container_port, "5432");
  EXPECT_EQ(p.protocol, "udp");
  p = parse_port_spec("127.0.0.1:5433:5432");
  EXPECT_EQ(p.host_ip, "127.0.0.1");
  p = parse_port_spec("[::1]:80:80");
  EXPECT_EQ(p.host_ip, "::1");
  EXPECT_EQ(p.ip_length, 5u);
  p = parse_port_spec("::1:80:80");  // unbracketed IPv6: all before the second-last colon
  EXPECT_EQ(p.host_ip, "::1");
  p = parse_port_spec("127.0.0.1::5432");
  EXPECT_EQ(p.host_ip, "127.0.0.1");
  EXPECT_EQ(p.host_port, "");
}

TEST(PortSpec, VariablesAreKeptWhole) {
  auto p = parse_port_spec("${PG_PORT:-5432}:5432");
  EXPECT_EQ(p.parts, 2);
  EXPECT_EQ(p.host_port, "${PG_PORT:-5432}");
  p = parse_port_spec("${BIND:-127.0.0.1}:${PORT}:80");
  EXPECT_EQ(p.host_ip, "${BIND:-127.0.0.1}");
  p = parse_port_spec("$(PG_PORT):5432");
  EXPECT_EQ(p.host_port, "$(PG_PORT)");
}

TEST(PortSpec, Binding) {
  EXPECT_EQ(binding_of(""), Binding::all_interfaces);
  EXPECT_EQ(binding_of("0.0.0.0"), Binding::all_interfaces);
  EXPECT_EQ(binding_of("::"), Binding::all_interfaces);
  EXPECT_EQ(binding_of("127.0.0.1"), Binding::loopback);
  EXPECT_EQ(binding_of("127.1.2.3"), Binding::loopback);
  EXPECT_EQ(binding_of("::1"), Binding::loopback);
  EXPECT_EQ(binding_of("localhost"), Binding::loopback);
  EXPECT_EQ(binding_of("192.0.2.10"), Binding::specific);
  EXPECT_EQ(binding_of("${HOST_IP}"), Binding::unknown);
  EXPECT_EQ(binding_of("${BIND:-127.0.0.1}"), Binding::loopback);
  EXPECT_EQ(binding_of("${BIND:-0.0.0.0}"), Binding::all_interfaces);
}

TEST(PortSpec, LoopbackEdit) {
  auto e = loopback_edit(parse_port_spec("${PG_PORT}:5432"), 10);
  EXPECT_EQ(e.offset, 10u);
  EXPECT_EQ(e.length, 0u);
  EXPECT_EQ(e.replacement, "127.0.0.1:");
  e = loopback_edit(parse_port_spec("8080"), 0);
  EXPECT_EQ(e.replacement, "127.0.0.1::");
  e = loopback_edit(parse_port_spec("[::]:80:80"), 4);
  EXPECT_EQ(e.offset, 4u);
  EXPECT_EQ(e.length, 4u);
  EXPECT_EQ(e.replacement, "127.0.0.1");
  EXPECT_EQ(first_port("5000-5010"), 5000);
  EXPECT_EQ(first_port("${X}"), std::nullopt);
}

}  // namespace
}  // namespace hostward::lint
