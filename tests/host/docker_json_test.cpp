#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "host/docker.h"

namespace hostward::host {
namespace {

std::string recorded(const std::string& name) {
  std::ifstream in(std::string(HOSTWARD_SOURCE_DIR) + "/tests/integration/docker_api/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DockerJson, RecordedInspectOfTheSeedContainer) {
  const auto c = read_container(recorded(
      "seed/container-3f1cb70dc261460d99d3b9ba7102136db075c9416f1eba1dec239cb11902d8f5.json"));
  EXPECT_EQ(c.name, "ci-postgres");
  EXPECT_EQ(c.image, "postgres:16");
  EXPECT_EQ(c.status, "running");
  EXPECT_EQ(c.pid, 4242);
  EXPECT_FALSE(c.privileged);
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].host_ip, "0.0.0.0");
  EXPECT_EQ(c.ports[0].host_port, 5432);
  EXPECT_EQ(c.ports[0].container_port, 5432);
  EXPECT_EQ(c.ports[0].proto, "tcp");
  EXPECT_EQ(c.auth_env.at("POSTGRES_HOST_AUTH_METHOD"), "trust");
  EXPECT_EQ(c.auth_env.at("POSTGRES_PASSWORD"), "empty");
  EXPECT_EQ(c.auth_env.count("PATH"), 0u);
  EXPECT_EQ(c.ip_addresses, std::vector<std::string>{"172.17.0.2"});
}

TEST(DockerJson, ListAndVersion) {
  const auto ids = read_container_ids(recorded("seed/containers.json"));
  ASSERT_EQ(ids.size(), 2u);
  DockerFacts f;
  read_version(recorded("seed/version.json"), f);
  EXPECT_EQ(f.api_version, "1.43");
  EXPECT_EQ(f.engine_version, "24.0.7");
}

TEST(DockerJson, HostileReplies) {
  EXPECT_THROW(read_container_ids("{}"), std::runtime_error);
  EXPECT_THROW(read_container("[1,2]"), std::runtime_error);
  EXPECT_THROW(read_container("{\"Id\": "), std::runtime_error);
  DockerFacts f;
  EXPECT_THROW(read_version("{\"Version\": 3}", f), std::runtime_error);
  // Ids go into URLs: anything but hex is dropped.
  EXPECT_TRUE(read_container_ids(R"([{"Id": "../../info"}, {"Id": 7}, 3])").empty());
  // Wrong types and out-of-range ports are skipped, not fatal.
  const auto c = read_container(R"({"State": {"Pid": -5}, "NetworkSettings": {"Ports":
      {"99999/tcp": [{"HostPort": "80"}], "80/tcp": [{"HostIp": 3, "HostPort": "70000"},
      {"HostPort": "8080"}], "81/tcp": null}}, "Config": {"Env": [1, "POSTGRES_PASSWORD=x"]}})");
  EXPECT_EQ(c.pid, 0);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_port, 8080);
  EXPECT_EQ(c.ports[0].host_ip, "");
  EXPECT_EQ(c.auth_env.at("POSTGRES_PASSWORD"), "set");
}

TEST(DockerJson, DaemonConfig) {
  DockerFacts f;
  read_daemon_config(R"({"tlsverify": true, "hosts": ["tcp://0.0.0.0:2376", 5]})", f);
  EXPECT_TRUE(f.daemon_tlsverify);
  EXPECT_EQ(f.daemon_hosts, std::vector<std::string>{"tcp://0.0.0.0:2376"});
}

}  // namespace
}  // namespace hostward::host
