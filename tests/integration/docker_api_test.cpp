// The Docker collector against recorded Engine API replies served on a unix
// socket (no Docker engine runs on our machines), inside a test-made network
// namespace so the verdicts do not depend on this machine's firewall.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "integration/support.h"

namespace hostward::itest {
namespace {

const std::string kPostgresId = "3f1cb70dc261460d99d3b9ba7102136db075c9416f1eba1dec239cb11902d8f5";

class DockerApi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root (network namespace)";
    if (!have_program("python3")) GTEST_SKIP() << "python3 is not installed";
    ASSERT_TRUE(ns_.create()) << ns_.error();
  }

  // Serves a copy of tests/integration/docker_api/NAME, with `mode` if given.
  void serve(const std::string& name, const std::string& mode = "") {
    dir_ = tmp_.path() + "/" + name;
    std::filesystem::copy(
        std::string(HOSTWARD_SOURCE_DIR) + "/tests/integration/docker_api/" + name, dir_,
        std::filesystem::copy_options::recursive);
    if (!mode.empty()) std::ofstream(dir_ + "/mode") << mode << "\n";
    socket_ = tmp_.path() + "/docker.sock";
    server_ = std::make_unique<Spawned>(
        "/usr/bin/python3",
        std::vector<std::string>{
            "python3", std::string(HOSTWARD_SOURCE_DIR) + "/tests/integration/fake_dockerd.py",
            socket_, dir_});
    ASSERT_TRUE(wait_until([&] {
      struct stat st {};
      return ::stat(socket_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
    })) << "fake dockerd did not start";
  }

  CommandResult exposure() {
    return ns_.run({HOSTWARD_BIN, "exposure", "--format", "json", "--fail-on", "critical",
                    "--docker-socket", socket_});
  }

  static nlohmann::json row(const nlohmann::json& report, const std::string& address, int port) {
    for (const auto& r : report.at("exposure"))
      if (r.at("address") == address && r.at("port") == port) return r;
    return nullptr;
  }
  static std::vector<nlohmann::json> docker_errors(const nlohmann::json& report) {
    std::vector<nlohmann::json> out;
    for (const auto& e : report.at("errors"))
      if (e.at("collector") == "docker") out.push_back(e);
    return out;
  }

  Netns ns_;
  TempDir tmp_;
  std::string dir_, socket_;
  std::unique_ptr<Spawned> server_;
};

TEST_F(DockerApi, PublishedTrustPostgresIsCriticalAndLoopbackRedisIsNot) {
  serve("seed");
  const auto r = exposure();
  ASSERT_EQ(r.exit_code, 1) << r.err;  // a critical finding
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_TRUE(docker_errors(report).empty()) << report["errors"].dump();

  const auto pg = row(report, "0.0.0.0", 5432);
  ASSERT_FALSE(pg.is_null()) << report["exposure"].dump(1);
  EXPECT_EQ(pg["container"], "ci-postgres");
  EXPECT_EQ(pg["image"], "postgres:16");
  EXPECT_EQ(pg["published_from"], "ci-postgres:5432/tcp");
  EXPECT_EQ(pg["service"], "postgresql");
  EXPECT_EQ(pg["auth_env"]["POSTGRES_HOST_AUTH_METHOD"], "trust");
  EXPECT_EQ(pg["auth_env"]["POSTGRES_PASSWORD"], "empty");
  EXPECT_EQ(pg["verdict"], "reachable");
  EXPECT_FALSE(row(report, "::", 5432).is_null());

  const auto redis = row(report, "127.0.0.1", 6379);
  ASSERT_FALSE(redis.is_null());
  EXPECT_EQ(redis["verdict"], "local-only");
  EXPECT_EQ(redis["auth_env"]["REDIS_PASSWORD"], "set");

  int critical_pg = 0, redis_findings = 0;
  for (const auto& f : report["findings"]) {
    if (f["rule"] != "network.exposed-service") continue;
    if (f["subject"]["port"] == 5432 && f["severity"] == "critical") {
      ++critical_pg;
      EXPECT_NE(f["title"].get<std::string>().find("POSTGRES_HOST_AUTH_METHOD=trust"),
                std::string::npos);
    }
    if (f["subject"]["port"] == 6379) ++redis_findings;
  }
  // The namespace has IPv4 and only a link-local IPv6 address: the [::]
  // publish cannot be reached from the internet, 0.0.0.0 can.
  EXPECT_EQ(critical_pg, 1);
  EXPECT_EQ(row(report, "::", 5432)["verdict"], "blocked");
  EXPECT_EQ(redis_findings, 0);
  // Secrets in the environment are never copied out.
  EXPECT_EQ(r.out.find("s3cret"), std::string::npos);
}

TEST_F(DockerApi, SnapshotKeepsPrivilegedAndSocketMount) {
  serve("seed");
  const std::string snap = tmp_.path() + "/snap.json";
  const auto r =
      ns_.run({HOSTWARD_BIN, "exposure", "--docker-socket", socket_, "--save-snapshot", snap});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::ifstream in(snap);
  const auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["docker"]["containers"].size(), 2u);
  const auto& redis = j["docker"]["containers"][1];
  EXPECT_EQ(redis["name"], "cache");
  EXPECT_EQ(redis["privileged"], true);
  EXPECT_EQ(redis["docker_socket_mounted"], true);
  EXPECT_EQ(j["docker"]["containers"][0]["id"], kPostgresId);
  EXPECT_EQ(j["docker"]["api_version"], "1.43");
}

TEST_F(DockerApi, NoDockerIsAnErrorEntryNotAFailure) {
  socket_ = tmp_.path() + "/absent.sock";
  const auto r = exposure();
  ASSERT_EQ(r.exit_code == 0 || r.exit_code == 1, true) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  const auto errors = docker_errors(report);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0]["message"].get<std::string>().find("no Docker engine at"), std::string::npos);
}

TEST_F(DockerApi, VanishedContainerIsAnErrorAndTheRestGoesOn) {
  serve("vanished");
  const auto report = nlohmann::json::parse(exposure().out);
  const auto errors = docker_errors(report);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0]["message"].get<std::string>().find("HTTP 404"), std::string::npos);
}

struct BadMode {
  const char* mode;
  const char* message;
};

void PrintTo(const BadMode& m, std::ostream* os) { *os << m.mode; }

class DockerApiBadReply : public DockerApi, public ::testing::WithParamInterface<BadMode> {};

TEST_P(DockerApiBadReply, GivesAnErrorEntry) {
  serve("seed", GetParam().mode);
  const auto r = exposure();
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  const auto report = nlohmann::json::parse(r.out);
  const auto errors = docker_errors(report);
  ASSERT_EQ(errors.size(), 1u) << report["errors"].dump();
  EXPECT_NE(errors[0]["message"].get<std::string>().find(GetParam().message), std::string::npos)
      << errors[0]["message"];
  EXPECT_TRUE(report["exposure"].is_array());
}

INSTANTIATE_TEST_SUITE_P(Modes, DockerApiBadReply,
                         ::testing::Values(BadMode{"garbage", "/version: not JSON"},
                                           BadMode{"huge", "larger than 8 MiB"},
                                           BadMode{"close", "/version:"},
                                           BadMode{"slow", "Timeout was reached"}),
                         [](const auto& info) { return std::string(info.param.mode); });

}  // namespace
}  // namespace hostward::itest
