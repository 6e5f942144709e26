// Every rule against fixture repositories: one that must fire, with the exact
// place and severity of each finding, and one that must stay silent.
#include <gtest/gtest.h>

#include "lint_test_support.h"

namespace hostward::lint {
namespace {

using testing::fixture;
using testing::lint_hits;
using V = std::vector<std::string>;

TEST(LintRules, PortPublishedAllInterfacesFires) {
  EXPECT_EQ(lint_hits(fixture("rules/ports/fire")),
            (V{".github/workflows/ci.yml:8:16 medium ci.port-published-all-interfaces",
               ".github/workflows/ci.yml:11:16 critical ci.database-no-auth",
               ".github/workflows/ci.yml:13:13 high ci.port-published-all-interfaces",
               ".github/workflows/ci.yml:16:29 high ci.port-published-all-interfaces",
               ".github/workflows/ci.yml:17:35 high ci.port-published-all-interfaces",
               ".github/workflows/ci.yml:18:25 medium ci.port-published-all-interfaces",
               ".github/workflows/ci.yml:19:25 high ci.port-published-all-interfaces",
               "azure-pipelines.yml:4:30 low ci.port-published-all-interfaces",
               "docker-compose.yml:5:10 high ci.port-published-all-interfaces",
               "docker-compose.yml:6:10 high ci.port-published-all-interfaces",
               "docker-compose.yml:7:10 high ci.port-published-all-interfaces",
               "docker-compose.yml:8:9 high ci.port-published-all-interfaces",
               "docker-compose.yml:9:9 high ci.port-published-all-interfaces",
               "docker-compose.yml:13:14 medium ci.port-published-all-interfaces"}));
}

TEST(LintRules, PortPublishedOnLoopbackIsQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/ports/quiet")), V{});
}

TEST(LintRules, DatabaseNoAuthFires) {
  EXPECT_EQ(lint_hits(fixture("rules/noauth/fire")),
            (V{".github/workflows/it.yml:6:31 high ci.database-no-auth",
               "azure-pipelines.yml:4:12 high ci.database-no-auth",
               "azure-pipelines.yml:9:32 critical ci.database-no-auth",
               "azure-pipelines.yml:9:61 high ci.port-published-all-interfaces",
               "docker-compose.yml:5:34 high ci.database-no-auth",
               "docker-compose.yml:9:9 critical ci.database-no-auth",
               "docker-compose.yml:11:10 high ci.port-published-all-interfaces",
               "docker-compose.yml:14:32 high ci.database-no-auth"}));
}

TEST(LintRules, DatabaseWithAuthIsQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/noauth/quiet")), V{});
}

TEST(LintRules, MissingTimeoutFires) {
  EXPECT_EQ(lint_hits(fixture("rules/timeout/fire")),
            (V{".github/workflows/ci.yml:3:3 medium ci.missing-timeout",
               ".github/workflows/ci.yml:9:3 medium ci.missing-timeout",
               ".gitlab-ci.yml:3:1 medium ci.missing-timeout",
               "azure-pipelines.yml:5:14 medium ci.missing-timeout",
               "azure-pipelines.yml:8:14 medium ci.missing-timeout",
               "azure-pipelines.yml:19:21 medium ci.missing-timeout"}));
}

TEST(LintRules, TimeoutsAndHostedRunnersAreQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/timeout/quiet")), V{});
}

TEST(LintRules, PrivilegedContainerFires) {
  EXPECT_EQ(lint_hits(fixture("rules/privileged/fire")),
            (V{".github/workflows/ci.yml:7:16 high ci.privileged-container",
               ".github/workflows/ci.yml:9:35 high ci.privileged-container",
               "docker-compose.yml:4:17 high ci.privileged-container",
               "docker-compose.yml:9:9 high ci.privileged-container",
               "docker-compose.yml:12:15 high ci.privileged-container"}));
}

TEST(LintRules, UnprivilegedContainerIsQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/privileged/quiet")), V{});
}

TEST(LintRules, DockerSocketMountFires) {
  EXPECT_EQ(lint_hits(fixture("rules/socket/fire")),
            (V{".github/workflows/ci.yml:8:11 high ci.docker-socket-mount",
               ".github/workflows/ci.yml:11:30 high ci.docker-socket-mount",
               ".github/workflows/ci.yml:12:35 high ci.docker-socket-mount",
               "docker-compose.yml:5:9 high ci.docker-socket-mount",
               "docker-compose.yml:7:17 high ci.docker-socket-mount"}));
}

TEST(LintRules, VolumesNamedLikeTheSocketAreQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/socket/quiet")), V{});
}

TEST(LintRules, HostNetworkFires) {
  EXPECT_EQ(lint_hits(fixture("rules/hostnet/fire")),
            (V{".github/workflows/ci.yml:8:28 medium ci.host-network",
               ".github/workflows/ci.yml:10:36 medium ci.host-network",
               "docker-compose.yml:4:19 high ci.host-network"}));
}

TEST(LintRules, OtherNetworksAreQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/hostnet/quiet")), V{});
}

TEST(LintRules, RemoteScriptPipeFires) {
  EXPECT_EQ(lint_hits(fixture("rules/pipe/fire")),
            (V{".github/workflows/ci.yml:6:14 high ci.remote-script-pipe",
               ".github/workflows/ci.yml:7:14 high ci.remote-script-pipe",
               ".github/workflows/ci.yml:8:19 high ci.remote-script-pipe",
               ".github/workflows/ci.yml:9:20 high ci.remote-script-pipe",
               "Dockerfile:3:5 high ci.remote-script-pipe"}));
}

TEST(LintRules, CheckedOrPinnedDownloadsAreQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/pipe/quiet")), V{});
}

TEST(LintRules, HardcodedSecretFires) {
  EXPECT_EQ(lint_hits(fixture("rules/secret/fire")),
            (V{".github/workflows/ci.yml:9:21 high ci.hardcoded-secret",
               "azure-pipelines.yml:4:21 medium ci.hardcoded-secret",
               "azure-pipelines.yml:6:27 high ci.hardcoded-secret",
               "azure-pipelines.yml:6:69 medium ci.hardcoded-secret",
               "docker-compose.yml:5:20 medium ci.hardcoded-secret",
               "docker-compose.yml:9:9 high ci.hardcoded-secret",
               "docker-compose.yml:10:9 medium ci.hardcoded-secret"}));
}

TEST(LintRules, SecretsFromStoresAndVariablesAreQuiet) {
  EXPECT_EQ(lint_hits(fixture("rules/secret/quiet")), V{});
}

}  // namespace
}  // namespace hostward::lint
