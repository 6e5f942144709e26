#include "respond/freezer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "host/proc_fs.h"
#include "host/proc_reader.h"

namespace hostward::respond {

namespace {

bool write_file(const std::string& path, const std::string& text, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int saved = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    error = path + ": " + std::strerror(saved);
    return false;
  }
  return true;
}

std::string read_small(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < (1u << 20))
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

std::vector<int> read_pids(const std::string& path) {
  std::vector<int> pids;
  std::istringstream in(read_small(path));
  int pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

std::string fresh_name() {
  static std::atomic<int> counter{0};
  return "hostward-contain-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

void sleep_us(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }

// cgroup v2: a fresh child of the hierarchy's root, frozen before anything
// enters it, so each process stops the moment it is moved in.
class CgroupV2Freezer : public Freezer {
 public:
  explicit CgroupV2Freezer(std::string dir) : dir_(std::move(dir)) {}
  ~CgroupV2Freezer() override { release(); }
  const char* method() const override { return "cgroup-v2"; }

  bool add(const PidHandle& h, std::string& error) override {
    if (!write_file(dir_ + "/cgroup.procs", std::to_string(h.key().pid), error)) return false;
    if (!h.still_ours()) {
      error = "ended while being moved";
      return false;
    }
    return true;
  }

  bool settle(int timeout_ms) override {
    for (int waited = 0; waited <= timeout_ms * 10; ++waited) {
      const std::string events = read_small(dir_ + "/cgroup.events");
      if (events.find("frozen 1") != std::string::npos) return true;
      sleep_us(100);
    }
    return false;
  }

  std::vector<int> members() const override { return read_pids(dir_ + "/cgroup.procs"); }

  void kill_all(const std::vector<const PidHandle*>& handles) override {
    std::string error;
    if (::access((dir_ + "/cgroup.kill").c_str(), W_OK) == 0 &&
        write_file(dir_ + "/cgroup.kill", "1", error))
      return;
    for (const auto* h : handles) h->send(SIGKILL, error);
    write_file(dir_ + "/cgroup.freeze", "0", error);  // a frozen task dies only when it runs
  }

  void release() override {
    if (dir_.empty()) return;
    std::string error;
    write_file(dir_ + "/cgroup.freeze", "0", error);
    // Survivors (a process contain chose not to kill) go back to the root cgroup.
    const std::string root = dir_.substr(0, dir_.rfind('/'));
    for (int pid : members()) write_file(root + "/cgroup.procs", std::to_string(pid), error);
    for (int i = 0; i < 200 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) sleep_us(500);
    dir_.clear();
  }

 private:
  std::string dir_;
};

class CgroupV1Freezer : public Freezer {
 public:
  explicit CgroupV1Freezer(std::string dir) : dir_(std::move(dir)) {}
  ~CgroupV1Freezer() override { release(); }
  const char* method() const override { return "cgroup-v1-freezer"; }

  bool add(const PidHandle& h, std::string& error) override {
    if (!write_file(dir_ + "/cgroup.procs", std::to_string(h.key().pid), error)) return false;
    return write_file(dir_ + "/freezer.state", "FROZEN", error);
  }

  bool settle(int timeout_ms) override {
    for (int waited = 0; waited <= timeout_ms * 10; ++waited) {
      if (read_small(dir_ + "/freezer.state").rfind("FROZEN", 0) == 0) return true;
      sleep_us(100);
    }
    return false;
  }

  std::vector<int> members() const override { return read_pids(dir_ + "/cgroup.procs"); }

  void kill_all(const std::vector<const PidHandle*>& handles) override {
    std::string error;
    for (const auto* h : handles) h->send(SIGKILL, error);
    for (int pid : members()) {
      // Children that entered the cgroup by forking: held by no handle, killed
      // by PID only after checking they are still inside the frozen cgroup.
      bool held = false;
      for (const auto* h : handles) held = held || h->key().pid == pid;
      if (!held) ::kill(pid, SIGKILL);
    }
    write_file(dir_ + "/freezer.state", "THAWED", error);
  }

  void release() override {
    if (dir_.empty()) return;
    std::string error;
    write_file(dir_ + "/freezer.state", "THAWED", error);
    const std::string root = dir_.substr(0, dir_.rfind('/'));
    for (int pid : members()) write_file(root + "/cgroup.procs", std::to_string(pid), error);
    for (int i = 0; i < 200 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) sleep_us(500);
    dir_.clear();
  }

 private:
  std::string dir_;
};

class SignalFreezer : public Freezer {
 public:
  ~SignalFreezer() override { release(); }
  const char* method() const override { return "sigstop"; }

  bool add(const PidHandle& h, std::string& error) override {
    if (!h.send(SIGSTOP, error)) return false;
    stopped_.push_back(h.key());
    return true;
  }

  bool settle(int timeout_ms) override {
    for (int waited = 0; waited <= timeout_ms * 10; ++waited) {
      bool all = true;
      for (const auto& k : stopped_) {
        const auto st = read_stat(k.pid);
        if (st && st->starttime == k.start_ticks && st->state != 'T' && st->state != 'Z' &&
            st->state != 'X')
          all = false;
      }
      if (all) return true;
      sleep_us(100);
    }
    return false;
  }

  void kill_all(const std::vector<const PidHandle*>& handles) override {
    std::string error;
    for (const auto* h : handles) h->send(SIGKILL, error);
    stopped_.clear();
  }

  void release() override {
    // Processes contain let live are continued; each PID is checked first.
    for (const auto& k : stopped_) {
      std::string error;
      if (auto h = PidHandle::open(k, error)) h->send(SIGCONT, error);
    }
    stopped_.clear();
  }

 private:
  std::vector<ProcKey> stopped_;
};

}  // namespace

CgroupMounts find_cgroup_mounts(const std::string& mountinfo_text) {
  CgroupMounts m;
  std::istringstream in(mountinfo_text);
  std::string line;
  while (std::getline(in, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream head(line.substr(0, dash));
    std::istringstream tail(line.substr(dash + 3));
    std::string id, parent, dev, root, point, fstype, source, super;
    head >> id >> parent >> dev >> root >> point;
    tail >> fstype >> source >> super;
    if (root != "/") continue;  // a bind of a subtree: not the hierarchy's root
    if (fstype == "cgroup2" && m.unified.empty()) m.unified = point;
    if (fstype == "cgroup" && m.v1_freezer.empty()) {
      std::istringstream opts(super);
      std::string opt;
      while (std::getline(opts, opt, ','))
        if (opt == "freezer") m.v1_freezer = point;
    }
  }
  return m;
}

std::unique_ptr<Freezer> make_freezer(std::string& notes, bool allow_cgroups) {
  if (allow_cgroups) {
    const CgroupMounts mounts = find_cgroup_mounts(read_small("/proc/self/mountinfo"));
    if (!mounts.unified.empty()) {
      const std::string dir = mounts.unified + "/" + fresh_name();
      if (::mkdir(dir.c_str(), 0700) == 0) {
        std::string error;
        if (::access((dir + "/cgroup.freeze").c_str(), W_OK) == 0 &&
            write_file(dir + "/cgroup.freeze", "1", error))
          return std::make_unique<CgroupV2Freezer>(dir);
        ::rmdir(dir.c_str());
        notes += "cgroup v2 has no cgroup.freeze here (kernel before 5.2). ";
      } else {
        notes += std::string("cannot create a cgroup v2 group: ") + std::strerror(errno) + ". ";
      }
    }
    if (!mounts.v1_freezer.empty()) {
      const std::string dir = mounts.v1_freezer + "/" + fresh_name();
      if (::mkdir(dir.c_str(), 0700) == 0) return std::make_unique<CgroupV1Freezer>(dir);
      notes += std::string("cannot create a v1 freezer group: ") + std::strerror(errno) + ". ";
    }
  }
  return std::make_unique<SignalFreezer>();
}

}  // namespace hostward::respond
