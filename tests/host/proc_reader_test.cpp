// ProcessReader against real processes: the exe states must come from the
// kernel's facts, not from the link text.
#include "host/proc_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "host/proc_fs.h"

namespace hostward::host {
namespace {

namespace fs = std::filesystem;

struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// Starts `path` with argv, and waits until the kernel shows the new image.
pid_t spawn(const std::string& path, std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  const std::string link = "/proc/" + std::to_string(pid) + "/exe";
  for (int i = 0; i < 200; ++i) {
    std::error_code ec;
    const auto target = fs::read_symlink(link, ec).string();
    if (!ec && target.find(fs::path(path).filename().string()) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pid;
}

class ProcReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hw-reader.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    // rm copes with paths longer than PATH_MAX; std::filesystem may not.
    const std::string cmd = "rm -rf '" + dir_ + "'";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << "cannot remove " << dir_;
  }
  std::string copy_sleep(const std::string& name) {
    const std::string dst = dir_ + "/" + name;
    fs::copy_file("/bin/sleep", dst);
    chmod(dst.c_str(), 0755);
    return dst;
  }
  ProcessReader reader_{read_clock_facts(), {{0, "root"}}};
  std::string dir_;
};

TEST_F(ProcReaderTest, PresentExecutable) {
  Child c;
  c.pid = spawn(copy_sleep("plain"), {"plain", "30"});
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_state, ExeState::present);
  EXPECT_EQ(p->exe_path, dir_ + "/plain");
  EXPECT_EQ(p->ppid, getpid());
  EXPECT_EQ(p->argv, (std::vector<std::string>{"plain", "30"}));
  EXPECT_EQ(p->comm, "plain");
  ASSERT_GE(p->exe_dirs.size(), 3u);
  EXPECT_EQ(p->exe_dirs.front().path, "/");
  EXPECT_EQ(p->exe_dirs.back().path, dir_);
  EXPECT_NE(p->ns.pid, 0u);
  EXPECT_NE(p->ns.mnt, 0u);
  EXPECT_GT(p->start_time, 0);
}

TEST_F(ProcReaderTest, DeletedExecutable) {
  Child c;
  const std::string path = copy_sleep("mysql");
  c.pid = spawn(path, {"mysql", "30"});
  ASSERT_EQ(unlink(path.c_str()), 0);
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_state, ExeState::deleted);
  EXPECT_EQ(p->exe, path + " (deleted)");
  EXPECT_EQ(p->exe_path, path);
}

TEST_F(ProcReaderTest, ReplacedExecutable) {
  Child c;
  const std::string path = copy_sleep("daemon");
  c.pid = spawn(path, {"daemon", "30"});
  ASSERT_EQ(unlink(path.c_str()), 0);
  copy_sleep("daemon");  // the "upgrade" puts a new file at the same path
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_state, ExeState::replaced);
  EXPECT_EQ(p->exe_path, path);
}

TEST_F(ProcReaderTest, FileLiterallyNamedDeletedIsNotDeleted) {
  Child c;
  const std::string path = copy_sleep("tool (deleted)");
  c.pid = spawn(path, {"tool", "30"});
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe, path);
  EXPECT_EQ(p->exe_state, ExeState::present);
  EXPECT_EQ(p->exe_path, path);
}

TEST_F(ProcReaderTest, LinkPlantedAtDeletedPathDoesNotMakeItPresent) {
  Child c;
  const std::string path = copy_sleep("mysql");
  c.pid = spawn(path, {"mysql", "30"});
  ASSERT_EQ(unlink(path.c_str()), 0);
  // The link resolves to the very image; a following stat would call it present.
  ASSERT_EQ(symlink(("/proc/" + std::to_string(c.pid) + "/exe").c_str(), path.c_str()), 0);
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_NE(p->exe_state, ExeState::present);
  EXPECT_EQ(p->exe_state, ExeState::replaced);
}

TEST_F(ProcReaderTest, DirectorySwappedForALinkIsSeen) {
  Child c;
  fs::create_directory(dir_ + "/sub");
  const std::string path = dir_ + "/sub/miner";
  fs::copy_file("/bin/sleep", path);
  chmod(path.c_str(), 0755);
  c.pid = spawn(path, {"miner", "30"});
  ASSERT_EQ(unlink(path.c_str()), 0);
  ASSERT_EQ(rmdir((dir_ + "/sub").c_str()), 0);
  ASSERT_EQ(symlink("/usr/lib", (dir_ + "/sub").c_str()), 0);
  const auto p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_state, ExeState::deleted);
  ASSERT_FALSE(p->exe_dirs.empty());
  EXPECT_EQ(p->exe_dirs.back().path, dir_ + "/sub");
  EXPECT_TRUE(S_ISLNK(p->exe_dirs.back().mode));
}

TEST_F(ProcReaderTest, PathLongerThanPathMax) {
  // 20 directories of 250 characters: the exe link cannot be read, the image can.
  int fd = open(dir_.c_str(), O_DIRECTORY | O_CLOEXEC);
  const std::string name(250, 'd');
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(mkdirat(fd, name.c_str(), 0755), 0);
    const int next = openat(fd, name.c_str(), O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = next;
  }
  {
    std::ifstream in("/bin/sleep", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const int out = openat(fd, "mysql", O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    ASSERT_EQ(write(out, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    close(out);
  }
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    if (fchdir(fd) == 0) execl("./mysql", "mysql", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::optional<ProcessInfo> p;
  for (int i = 0; i < 200; ++i) {
    p = reader_.read(c.pid);
    if (p && p->comm == "mysql") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_error, "ENAMETOOLONG");
  EXPECT_EQ(p->exe_state, ExeState::present);
  ASSERT_EQ(unlinkat(fd, "mysql", 0), 0);
  close(fd);
  p = reader_.read(c.pid);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe_state, ExeState::deleted);
}

TEST_F(ProcReaderTest, MemfdExecutable) {
  Child c;
  c.pid = spawn(std::string(HOSTWARD_HELPER_DIR) + "/hw_memfd_exec",
                {"hw_memfd_exec", "/bin/sleep", "payload", "30"});
  std::optional<ProcessInfo> p;
  for (int i = 0; i < 200; ++i) {
    p = reader_.read(c.pid);
    if (p && p->exe.rfind("/memfd:", 0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(p);
  EXPECT_EQ(p->exe, "/memfd:hwtest-payload (deleted)");
  EXPECT_EQ(p->exe_state, ExeState::memfd);
}

TEST_F(ProcReaderTest, VanishedProcessIsSkipped) {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  EXPECT_FALSE(reader_.read(pid));
}

TEST_F(ProcReaderTest, KernelThreadHasNoExecutable) {
  const auto p = reader_.read(2);  // kthreadd
  if (!p || !p->kernel_thread) GTEST_SKIP() << "no kthreadd visible in this pid namespace";
  EXPECT_EQ(p->exe_state, ExeState::none);
  EXPECT_TRUE(p->argv.empty());
}

TEST_F(ProcReaderTest, CpuTicksCheckStartTime) {
  const auto self = reader_.read(getpid());
  ASSERT_TRUE(self);
  EXPECT_TRUE(reader_.read_cpu_ticks(getpid(), self->start_ticks));
  EXPECT_FALSE(reader_.read_cpu_ticks(getpid(), self->start_ticks + 1));
}

// /proc's multi-record files hand out about a page per read; a short read
// is not their end. 400 mappings that cannot merge make maps ~30 KiB.
TEST(ReadFileAt, ReadsMultiPageProcFilesToTheEnd) {
  const long page = sysconf(_SC_PAGESIZE);
  constexpr int kPages = 800;
  void* area = mmap(nullptr, page * kPages, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(area, MAP_FAILED);
  for (int i = 0; i < kPages; i += 2)
    mprotect(static_cast<char*>(area) + i * page, page, PROT_NONE);
  const auto maps = read_file_at(AT_FDCWD, "/proc/self/maps", 16u << 20);
  munmap(area, page * kPages);
  ASSERT_TRUE(maps);
  EXPECT_GT(std::count(maps->begin(), maps->end(), '\n'), kPages);
  EXPECT_NE(maps->find("[stack]"), std::string::npos);
}

}  // namespace
}  // namespace hostward::host
