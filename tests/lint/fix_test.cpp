// --fix and --diff, run as a user would: the result equals the expected tree
// byte for byte, and a second run changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/support.h"
#include "lint_test_support.h"

namespace hostward::lint {
namespace {

namespace fs = std::filesystem;
using hostward::itest::run_hostward;
using testing::fixture;
using testing::TempTree;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LintFix, RewritesEveryAllInterfacesPublishAndNothingElse) {
  TempTree tree;
  tree.copy_from(fixture("fix/input"));
  const auto first = run_hostward({"lint", "--fix", "--color", "never", tree.path()});
  EXPECT_NE(first.err.find("bound 13 publishes to 127.0.0.1 in 3 files"), std::string::npos)
      << first.err;
  for (const std::string rel :
       {"docker-compose.yml", ".github/workflows/ci.yml", "scripts/start-db.sh"}) {
    EXPECT_EQ(tree.read(rel), read_file(fixture("fix/expected/" + rel))) << rel;
  }
  EXPECT_EQ(fs::status(tree.path() + "/scripts/start-db.sh").permissions() & fs::perms::owner_exec,
            fs::perms::owner_exec);
  EXPECT_EQ(first.out.find("ci.port-published-all-interfaces"), std::string::npos) << first.out;

  const auto second = run_hostward({"lint", "--fix", tree.path()});
  EXPECT_NE(second.err.find("bound 0 publishes"), std::string::npos) << second.err;
  for (const std::string rel :
       {"docker-compose.yml", ".github/workflows/ci.yml", "scripts/start-db.sh"})
    EXPECT_EQ(tree.read(rel), read_file(fixture("fix/expected/" + rel))) << rel;
}

TEST(LintFix, DiffShowsTheChangeAndWritesNothing) {
  TempTree tree;
  tree.copy_from(fixture("seed/before"));
  const auto r = run_hostward({"lint", "--diff", tree.path()});
  EXPECT_EQ(r.exit_code, 1);
  const std::string p = tree.path() + "/setup-database.yml";
  EXPECT_EQ(r.out, "--- a/" + p + "\n+++ b/" + p +
                       "\n"
                       "@@ -3,7 +3,7 @@\n"
                       "   - script: |\n"
                       "       docker rm -f ci-postgres 2>/dev/null || true\n"
                       "       docker run -d --name ci-postgres \\\n"
                       "-        -p \"${PG_PORT}:5432\" \\\n"
                       "+        -p \"127.0.0.1:${PG_PORT}:5432\" \\\n"
                       "         -e POSTGRES_HOST_AUTH_METHOD=trust \\\n"
                       "         postgres:16\n"
                       "       until docker exec ci-postgres pg_isready -U postgres; do sleep 1; "
                       "done\n");
  EXPECT_EQ(tree.read("setup-database.yml"), read_file(fixture("seed/before/setup-database.yml")));
  EXPECT_EQ(run_hostward({"lint", "--diff", fixture("seed/after")}).exit_code, 0);
}

TEST(LintFix, SeedPatchIsWhatFixWrites) {
  TempTree tree;
  tree.copy_from(fixture("seed/before"));
  run_hostward({"lint", "--fix", tree.path()});
  EXPECT_EQ(tree.read("setup-database.yml"), read_file(fixture("seed/after/setup-database.yml")));
}

TEST(LintFix, FixAndDiffTogetherIsAUsageError) {
  const auto r = run_hostward({"lint", "--fix", "--diff", fixture("seed/before")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--fix and --diff"), std::string::npos);
}

}  // namespace
}  // namespace hostward::lint
