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
#include <map>
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

// The process's group in a hierarchy: the v2 line ("0::/path") when
// `controller` is empty, else the v1 line naming the controller.
std::string cgroup_of(int pid, const std::string& controller) {
  std::istringstream in(read_small("/proc/" + std::to_string(pid) + "/cgroup"));
  std::string line;
  while (std::getline(in, line)) {
    const size_t a = line.find(':');
    const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const bool match =
        controller.empty()
            ? line.compare(0, a, "0") == 0 && controllers.empty()
            : ("," + controllers + ",").find("," + controller + ",") != std::string::npos;
    if (match) return line.substr(b + 1);
  }
  return "/";
}

// Moves a process into a cgroup, checks it is still the one meant, and puts a
// stranger that took its PID meanwhile straight back where it was.
bool move_checked(const std::string& mount, const std::string& dir, const std::string& controller,
                  const PidHandle& h, std::map<int, std::string>& origins, std::string& error) {
  const int pid = h.key().pid;
  const std::string origin = cgroup_of(pid, controller);
  if (!write_file(dir + "/cgroup.procs", std::to_string(pid), error)) return false;
  if (!h.still_ours()) {
    std::string ignored;
    write_file(mount + origin + "/cgroup.procs", std::to_string(pid), ignored);
    error = "ended while being moved";
    return false;
  }
  origins[pid] = origin;
  return true;
}

// Survivors go back to the groups they came from (a container's limits stay
// theirs); processes born inside, or whose group is gone, to the root.
void move_back(const std::string& mount, const std::vector<int>& members,
               const std::map<int, std::string>& origins) {
  for (int pid : members) {
    std::string error;
    const auto it = origins.find(pid);
    if (it != origins.end() &&
        write_file(mount + it->second + "/cgroup.procs", std::to_string(pid), error))
      continue;
    write_file(mount + "/cgroup.procs", std::to_string(pid), error);
  }
}

std::string fresh_name() {
  static std::atomic<int> counter{0};
  return "hostward-contain-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

void sleep_us(int us) { std::this_thread::sleep_for(std::chrono::microseconds(us)); }

// A fresh group in a cgroup hierarchy: what v2 and the v1 freezer share.
class CgroupFreezer : public Freezer {
 public:
  CgroupFreezer(std::string mount, std::string dir, std::string controller)
      : mount_(std::move(mount)), dir_(std::move(dir)), controller_(std::move(controller)) {}

  std::vector<int> members() const override { return read_pids(dir_ + "/cgroup.procs"); }

  void release() override {
    if (dir_.empty()) return;
    thaw();
    move_back(mount_, members(), origins_);
    for (int i = 0; i < 200 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) sleep_us(500);
    dir_.clear();
  }

 protected:
  virtual void thaw() = 0;
  bool move_in(const PidHandle& h, std::string& error) {
    return move_checked(mount_, dir_, controller_, h, origins_, error);
  }
  bool wait_for(const std::string& file, const std::string& text, int timeout_ms) const {
    for (int waited = 0; waited <= timeout_ms * 10; ++waited) {
      if (read_small(dir_ + "/" + file).find(text) != std::string::npos) return true;
      sleep_us(100);
    }
    return false;
  }

  std::string mount_;
  std::string dir_;

 private:
  std::string controller_;
  std::map<int, std::string> origins_;
};

// cgroup v2: the group is frozen before anything enters it, so each process
// stops the moment it is moved in.
class CgroupV2Freezer : public CgroupFreezer {
 public:
  CgroupV2Freezer(std::string mount, std::string dir)
      : CgroupFreezer(std::move(mount), std::move(dir), "") {}
  ~CgroupV2Freezer() override { release(); }
  const char* method() const override { return "cgroup-v2"; }
  bool add(const PidHandle& h, std::string& error) override { return move_in(h, error); }
  bool settle(int timeout_ms) override { return wait_for("cgroup.events", "frozen 1", timeout_ms); }

  void kill_all(const std::vector<const PidHandle*>& handles) override {
    std::string error;
    if (::access((dir_ + "/cgroup.kill").c_str(), W_OK) == 0 &&
        write_file(dir_ + "/cgroup.kill", "1", error))
      return;
    for (const auto* h : handles) h->send(SIGKILL, error);
    thaw();  // a frozen task dies only when it runs
  }

 protected:
  void thaw() override {
    std::string error;
    write_file(dir_ + "/cgroup.freeze", "0", error);
  }
};

class CgroupV1Freezer : public CgroupFreezer {
 public:
  CgroupV1Freezer(std::string mount, std::string dir)
      : CgroupFreezer(std::move(mount), std::move(dir), "freezer") {}
  ~CgroupV1Freezer() override { release(); }
  const char* method() const override { return "cgroup-v1-freezer"; }

  bool add(const PidHandle& h, std::string& error) override {
    return move_in(h, error) && write_file(dir_ + "/freezer.state", "FROZEN", error);
  }
  bool settle(int timeout_ms) override { return wait_for("freezer.state", "FROZEN", timeout_ms); }

  void kill_all(const std::vector<const PidHandle*>& handles) override {
    std::string error;
    for (const auto* h : handles) h->send(SIGKILL, error);
    for (int pid : members()) {
      // Children that entered the frozen group by forking: held by no handle,
      // killed by PID (frozen, they cannot have ended and left it).
      bool held = false;
      for (const auto* h : handles) held = held || h->key().pid == pid;
      if (!held) ::kill(pid, SIGKILL);
    }
    thaw();
  }

 protected:
  void thaw() override {
    std::string error;
    write_file(dir_ + "/freezer.state", "THAWED", error);
  }
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

// A group left by a contain that was killed halfway (its pid is gone or no
// longer hostward): thawed, its processes handed back to the root, removed.
void release_stale(const std::string& mount, bool v2, std::string& notes) {
  for (const auto& name : host::list_dir(AT_FDCWD, mount.c_str())) {
    if (name.rfind("hostward-contain-", 0) != 0) continue;
    const int owner = std::atoi(name.c_str() + std::strlen("hostward-contain-"));
    if (owner > 0 && read_small("/proc/" + std::to_string(owner) + "/comm") == "hostward\n")
      continue;
    const std::string dir = mount + "/" + name;
    std::string error;
    if (v2)
      write_file(dir + "/cgroup.freeze", "0", error);
    else
      write_file(dir + "/freezer.state", "THAWED", error);
    const auto left = read_pids(dir + "/cgroup.procs");
    move_back(mount, left, {});
    ::rmdir(dir.c_str());
    notes += "released " + name + " left by an earlier contain (" + std::to_string(left.size()) +
             " processes thawed). ";
  }
}

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

std::optional<FreezerChoice> parse_freezer_choice(const std::string& text) {
  if (text == "auto") return FreezerChoice::automatic;
  if (text == "cgroup-v2") return FreezerChoice::cgroup_v2;
  if (text == "cgroup-v1") return FreezerChoice::cgroup_v1;
  if (text == "sigstop") return FreezerChoice::sigstop;
  return std::nullopt;
}

std::unique_ptr<Freezer> make_freezer(std::string& notes, FreezerChoice choice) {
  if (choice != FreezerChoice::sigstop) {
    const CgroupMounts mounts = find_cgroup_mounts(read_small("/proc/self/mountinfo"));
    if (!mounts.unified.empty() && choice != FreezerChoice::cgroup_v1) {
      release_stale(mounts.unified, true, notes);
      const std::string dir = mounts.unified + "/" + fresh_name();
      if (::mkdir(dir.c_str(), 0700) == 0) {
        std::string error;
        if (::access((dir + "/cgroup.freeze").c_str(), W_OK) == 0 &&
            write_file(dir + "/cgroup.freeze", "1", error))
          return std::make_unique<CgroupV2Freezer>(mounts.unified, dir);
        ::rmdir(dir.c_str());
        notes += "cgroup v2 has no cgroup.freeze here (kernel before 5.2). ";
      } else {
        notes += std::string("cannot create a cgroup v2 group: ") + std::strerror(errno) + ". ";
      }
    }
    if (!mounts.v1_freezer.empty() && choice != FreezerChoice::cgroup_v2) {
      release_stale(mounts.v1_freezer, false, notes);
      const std::string dir = mounts.v1_freezer + "/" + fresh_name();
      if (::mkdir(dir.c_str(), 0700) == 0)
        return std::make_unique<CgroupV1Freezer>(mounts.v1_freezer, dir);
      notes += std::string("cannot create a v1 freezer group: ") + std::strerror(errno) + ". ";
    }
  }
  return std::make_unique<SignalFreezer>();
}

}  // namespace hostward::respond
