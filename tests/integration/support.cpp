#include "support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hostward::itest {

namespace fs = std::filesystem;

CommandResult run_command(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  CommandResult r;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

CommandResult run_hostward(std::vector<std::string> args) {
  args.insert(args.begin(), HOSTWARD_BIN);
  return run_command(args);
}

nlohmann::json scan_json(std::vector<std::string> extra) {
  std::vector<std::string> args = {"scan", "--only",    "process", "--format",
                                   "json", "--fail-on", "critical"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_hostward(args);
  if (r.exit_code != 0 && r.exit_code != 1) {
    throw std::runtime_error("hostward scan failed (" + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  return nlohmann::json::parse(r.out);
}

std::vector<nlohmann::json> findings_for(const nlohmann::json& report, const std::string& rule,
                                         int pid) {
  std::vector<nlohmann::json> out;
  for (const auto& f : report.at("findings")) {
    if (f.at("rule") == rule && f.at("subject").value("pid", 0) == pid) out.push_back(f);
  }
  return out;
}

std::vector<nlohmann::json> findings_with_rule(const nlohmann::json& report,
                                               const std::string& rule) {
  std::vector<nlohmann::json> out;
  for (const auto& f : report.at("findings"))
    if (f.at("rule") == rule) out.push_back(f);
  return out;
}

nlohmann::json probe_json(std::vector<std::string> args) {
  args.insert(args.begin(), "probe");
  args.insert(args.end(), {"--format", "json", "--fail-on", "critical"});
  const auto r = run_hostward(args);
  if (r.exit_code != 0 && r.exit_code != 1)
    throw std::runtime_error("hostward probe failed: " + r.err);
  return nlohmann::json::parse(r.out);
}

nlohmann::json probed_port(const nlohmann::json& report, int port) {
  for (const auto& p : report.at("probe").at(0).at("open"))
    if (p.at("port") == port) return p;
  return nullptr;
}

std::string helper(const std::string& name) {
  return std::string(HOSTWARD_HELPER_DIR) + "/" + name;
}

bool is_root() { return geteuid() == 0; }

bool have_program(const std::string& name) {
  return run_command({"sh", "-c", "command -v " + name}).exit_code == 0;
}

Spawned::Spawned(const std::string& path, std::vector<std::string> args) {
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  setpgid(pid_, pid_);
}

Spawned::~Spawned() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Netns::Netns()
    : name_("hwtest-ns-" + std::to_string(getpid())), veth_("hwv" + std::to_string(getpid())) {}

bool Netns::create() {
  cleanup();
  const std::vector<std::vector<std::string>> steps = {
      {"ip", "netns", "add", name_},
      {"ip", "link", "add", veth_ + "a", "type", "veth", "peer", "name", veth_ + "b"},
      {"ip", "link", "set", veth_ + "b", "netns", name_},
      {"ip", "addr", "add", "198.51.100.1/24", "dev", veth_ + "a"},
      {"ip", "link", "set", veth_ + "a", "up"},
      {"ip", "netns", "exec", name_, "ip", "addr", "add", "198.51.100.2/24", "dev", veth_ + "b"},
      {"ip", "netns", "exec", name_, "ip", "link", "set", veth_ + "b", "up"},
      {"ip", "netns", "exec", name_, "ip", "link", "set", "lo", "up"},
  };
  for (const auto& s : steps) {
    const auto r = run_command(s);
    if (r.exit_code != 0) {
      error_ = s[0] + " " + s[1] + " " + s[2] + ": " + r.err;
      return false;
    }
  }
  return true;
}

void Netns::cleanup() {
  run_command({"ip", "netns", "del", name_});
  run_command({"ip", "link", "del", veth_ + "a"});
}

Netns::~Netns() { cleanup(); }

CommandResult Netns::run(std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", name_});
  return run_command(argv);
}

nlohmann::json Netns::exposure_snapshot(const std::string& dir) const {
  const std::string path = dir + "/snap.json";
  const auto r = run(
      {HOSTWARD_BIN, "exposure", "--docker-socket", dir + "/none.sock", "--save-snapshot", path});
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

std::string read_link(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec);
  return ec ? std::string() : target.string();
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid && state != "Z") out.push_back(std::stoi(name));
  }
  return out;
}

void copy_executable(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  chmod(to.c_str(), 0755);
}

}  // namespace hostward::itest
