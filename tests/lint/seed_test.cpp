// The seed's two pipeline files, reconstructed from the incident report,
// before and after its patch (docs/lint.md tells how they were rebuilt).
#include <gtest/gtest.h>

#include "lint_test_support.h"

namespace hostward::lint {
namespace {

using testing::fixture;
using testing::lint_hits;
using V = std::vector<std::string>;

TEST(LintSeed, BeforeThePatchTheHoleIsFound) {
  EXPECT_EQ(lint_hits(fixture("seed/before")),
            (V{"azure-pipelines.yml:18:14 medium ci.missing-timeout",
               "azure-pipelines.yml:28:14 medium ci.missing-timeout",
               "setup-database.yml:6:13 high ci.port-published-all-interfaces",
               "setup-database.yml:7:12 critical ci.database-no-auth"}));
}

// Bound to loopback and with a job timeout, the publish, the critical
// no-auth and the timeouts are gone; trust auth on loopback remains a high
// finding (any local process may log in as superuser), as it should.
TEST(LintSeed, AfterThePatchOnlyLoopbackTrustRemains) {
  EXPECT_EQ(lint_hits(fixture("seed/after")),
            (V{"setup-database.yml:7:12 high ci.database-no-auth"}));
}

}  // namespace
}  // namespace hostward::lint
