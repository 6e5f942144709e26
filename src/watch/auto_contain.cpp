#include "watch/auto_contain.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "watch/exec_check.h"

extern char** environ;

namespace hostward::watch {

namespace {

double now() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  off_t at = 0;
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0 && out.size() < (64u << 20)) {
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

}  // namespace

AutoContain::AutoContain(std::string program, std::vector<std::string> extra, double timeout_s)
    : program_(std::move(program)), extra_(std::move(extra)), timeout_s_(timeout_s) {}

AutoContain::~AutoContain() {
  if (running_) {
    // Let a containment that has started finish: stopping it halfway would
    // leave a frozen tree behind.
    int status = 0;
    ::waitpid(running_->child, &status, 0);
    ::close(running_->output);
  }
}

void AutoContain::request(int pid, unsigned long long start_ticks, const std::string& rule) {
  const auto key = std::make_pair(pid, start_ticks);
  if (std::find(seen_.begin(), seen_.end(), key) != seen_.end()) return;
  seen_.push_back(key);
  if (seen_.size() > 10000) seen_.erase(seen_.begin(), seen_.begin() + 5000);
  queue_.push_back({pid, start_ticks, rule});
}

void AutoContain::start_next() {
  while (!running_ && !queue_.empty()) {
    const Request r = queue_.front();
    queue_.pop_front();
    // Gone, or taken with an earlier tree: nothing to do.
    if (read_start_ticks("/proc", r.pid).value_or(0) != r.start_ticks) continue;
    const int out = ::memfd_create("hostward-contain", MFD_CLOEXEC);
    if (out < 0) return;
    std::vector<std::string> args = {program_, "contain",  std::to_string(r.pid),
                                     "--tree", "--format", "json"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out, 1);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    pid_t child = 0;
    const int rc = posix_spawn(&child, program_.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ::close(out);
      return;
    }
    running_ = Running{r, child, out, now()};
  }
}

std::vector<nlohmann::json> AutoContain::poll() {
  std::vector<nlohmann::json> events;
  if (running_) {
    int status = 0;
    pid_t r = ::waitpid(running_->child, &status, WNOHANG);
    if (r == 0 && now() - running_->started > timeout_s_) {
      ::kill(running_->child, SIGKILL);
      r = ::waitpid(running_->child, &status, 0);
    }
    if (r == running_->child || (r < 0 && errno == ECHILD)) {
      const auto report = nlohmann::json::parse(read_all(running_->output), nullptr, false);
      ::close(running_->output);
      nlohmann::json e = {{"pid", running_->request.pid}, {"trigger", running_->request.rule}};
      if (report.is_discarded()) {
        e["result"] = "failed";
        e["exit_status"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      } else {
        e["result"] = report.value("result", "unknown");
        e["summary"] = report.value("summary", nlohmann::json::object());
        if (report.contains("evidence")) e["evidence"] = report["evidence"];
        e["targets"] = nlohmann::json::array();
        for (const auto& t : report.value("targets", nlohmann::json::array()))
          e["targets"].push_back({{"pid", t.value("pid", 0)},
                                  {"comm", t.value("comm", "")},
                                  {"result", t.value("result", "")}});
        e["refused"] = report.value("refused", nlohmann::json::array());
      }
      events.push_back(std::move(e));
      running_.reset();
    }
  }
  start_next();
  return events;
}

}  // namespace hostward::watch
