#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "integration/support.h"

namespace hostward::itest {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), {});
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), d, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", d[i]);
    hex += b;
  }
  return hex;
}

class Evidence : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "reads other processes' memory and executables: needs root";
  }
};

// A deleted binary is recovered through /proc/PID/exe: it hashes as the original.
TEST_F(Evidence, EveryFileAndTheArchiveHashAsTheManifestSays) {
  TempDir work("/tmp/hwtest-evidence.");
  const std::string payload = work.path() + "/mysql";
  copy_executable(helper("hw_burn"), payload);
  const std::string original = sha256_file(payload);
  Spawned miner(payload, {"mysql", "--seconds", "60"});
  ASSERT_TRUE(wait_until(
      [&] { return read_link("/proc/" + std::to_string(miner.pid()) + "/exe") == payload; }));
  fs::remove(payload);
  const std::string out = work.path() + "/case-1";
  const auto r = run_hostward({"evidence", std::to_string(miner.pid()), "--out", out, "--memory",
                               "--max-bytes", "1M", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  const json m = json::parse(std::ifstream(out + "/manifest.json"));
  EXPECT_EQ(m["schema"], "hostward-evidence/v1");
  ASSERT_EQ(m["processes"].size(), 1u);
  const auto& p = m["processes"][0];
  EXPECT_EQ(p["pid"], miner.pid());
  EXPECT_EQ(p["comm"], "mysql");
  EXPECT_EQ(p["argv"], json({"mysql", "--seconds", "60"}));
  EXPECT_EQ(p["exe"], payload + " (deleted)");
  EXPECT_EQ(p["executable"]["sha256"], original);
  EXPECT_EQ(sha256_file(out + "/" + p["executable"]["file"].get<std::string>()), original);
  EXPECT_TRUE(p["namespaces"].contains("pid"));
  EXPECT_FALSE(p["fds"].empty());
  uint64_t memory = 0;
  for (const auto& region : p["memory"]) memory += region.value("bytes", 0ull);
  EXPECT_GT(memory, 0u);
  EXPECT_LE(memory, 1u << 20);
  for (const auto& f : m["files"]) {
    const std::string path = out + "/" + f["path"].get<std::string>();
    EXPECT_EQ(sha256_file(path), f["sha256"]) << path;
    EXPECT_EQ(fs::file_size(path), f["size"].get<uint64_t>()) << path;
    EXPECT_EQ(fs::status(path).permissions(), fs::perms::owner_read | fs::perms::owner_write);
  }
  const std::string archive = out + "/" + m["archive"]["path"].get<std::string>();
  EXPECT_EQ(sha256_file(archive), m["archive"]["sha256"]);
  // The archive holds every file the manifest names, byte for byte.
  const auto list = run_command({"tar", "--zstd", "-tf", archive});
  if (list.exit_code == 0) {
    for (const auto& f : m["files"])
      EXPECT_NE(list.out.find(f["path"].get<std::string>()), std::string::npos) << f["path"];
  }
}

TEST_F(Evidence, RefusesAnExistingDirectoryAndALink) {
  TempDir work("/tmp/hwtest-evidence.");
  const auto exists = run_hostward({"evidence", std::to_string(getpid()), "--out", work.path()});
  EXPECT_EQ(exists.exit_code, 2);
  EXPECT_NE(exists.err.find("exists already"), std::string::npos) << exists.err;
  const std::string link = work.path() + "/planted";
  fs::create_directory_symlink("/etc", link);
  const auto linked = run_hostward({"evidence", std::to_string(getpid()), "--out", link});
  EXPECT_EQ(linked.exit_code, 2);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_FALSE(fs::exists("/etc/manifest.json"));
}

TEST_F(Evidence, AVanishedProcessIsAnErrorEntryNotACrash) {
  TempDir work("/tmp/hwtest-evidence.");
  pid_t gone = 0;
  {
    Spawned brief("/bin/true", {"true"});
    gone = brief.pid();
  }
  const auto r = run_hostward({"evidence", std::to_string(getpid()), std::to_string(gone), "--out",
                               work.path() + "/x", "--format", "json"});
  // The vanished one is refused as "no such process"; the live one is recorded.
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("no such process"), std::string::npos) << r.err;
}

// The end-to-end replay: everything the seed's responders did by hand, checked.
TEST_F(Evidence, DrillVerifyPassesEveryCheck) {
  const auto r = run_hostward({"drill", "--verify", "--duration", "30", "--format", "json"});
  const json j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out << r.err;
  EXPECT_EQ(r.exit_code, 0) << j.dump(2);
  EXPECT_EQ(j["result"], "pass");
  EXPECT_GE(j["checks"].size(), 8u);
  for (const auto& c : j["checks"]) EXPECT_TRUE(c["pass"].get<bool>()) << c.dump();
  EXPECT_FALSE(fs::exists(j["work_dir"].get<std::string>()));  // cleaned up
}

}  // namespace
}  // namespace hostward::itest
