// hostward watch against real processes: the process connector, the /proc
// polling path, the webhook spool across a SIGKILL, an exec flood.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "integration/support.h"

extern char** environ;

namespace hostward::watch {
namespace {

using namespace std::chrono_literals;
using itest::is_root;
using itest::Spawned;
using itest::TempDir;
using itest::wait_until;

std::vector<nlohmann::json> read_alerts(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));  // not a line still being written
  }
  return out;
}

const nlohmann::json* finding_for(const std::vector<nlohmann::json>& alerts,
                                  const std::string& rule, int pid) {
  for (const auto& a : alerts) {
    if (a.value("type", "") != "finding" || !a.contains("finding")) continue;
    const auto& f = a["finding"];
    if (f.value("rule", "") == rule && f.contains("subject") && f["subject"].is_object() &&
        f["subject"].value("pid", 0) == pid)
      return &a;
  }
  return nullptr;
}

bool started(const std::string& path) {
  for (const auto& a : read_alerts(path))
    if (a.value("type", "") == "started") return true;
  return false;
}

// A program copied into a fresh folder under /tmp: what the seed's miner was.
std::string plant(const TempDir& dir, const std::string& name) {
  const std::string path = dir.path() + "/" + name;
  std::filesystem::copy_file("/bin/sleep", path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

pid_t run(const std::string& path, std::vector<std::string> args) {
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

class Watch {
 public:
  explicit Watch(std::vector<std::string> extra) {
    out_ = dir_.path() + "/alerts.ndjson";
    std::vector<std::string> args = {"hostward",      "watch", "--sink",   "file:" + out_,
                                     "--heartbeat-s", "3600",  "--scan-s", "3600"};
    args.insert(args.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Spawned>(HOSTWARD_BIN, args);
    EXPECT_TRUE(wait_until([&] { return started(out_); }, 10s)) << "watch did not start";
  }
  const std::string& out() const { return out_; }
  pid_t pid() const { return proc_->pid(); }
  void kill() { proc_.reset(); }

 private:
  TempDir dir_{"/tmp/hwwatch."};
  std::string out_;
  std::unique_ptr<Spawned> proc_;
};

TEST(Watch, AnExecFromTmpIsAlertedWithinASecond) {
  if (!is_root()) GTEST_SKIP() << "the process connector needs root";
  Watch w({});
  const auto alerts0 = read_alerts(w.out());
  ASSERT_FALSE(alerts0.empty());
  ASSERT_EQ(alerts0.front().value("source", ""), "process connector") << alerts0.front().dump();
  TempDir dir{"/tmp/hwplant."};
  const std::string miner = plant(dir, "mysql");
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = run(miner, {"3"});
  ASSERT_GT(pid, 0);
  const bool seen = wait_until(
      [&] { return finding_for(read_alerts(w.out()), "process.world-writable-executable", pid); },
      1s);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(seen) << "no alert within a second";
  const auto alerts = read_alerts(w.out());
  const auto* a = finding_for(alerts, "process.world-writable-executable", pid);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*a)["finding"]["evidence"]["exe"], miner);
  EXPECT_LT((*a)["latency_ms"].get<double>(), 1000.0);
  EXPECT_TRUE(finding_for(alerts, "process.masquerade", pid));  // "mysql"
  std::cout << "alert after " << std::chrono::duration<double, std::milli>(waited).count()
            << " ms, latency_ms " << (*a)["latency_ms"] << "\n";
}

TEST(Watch, WithoutTheConnectorPollingStillFindsIt) {
  Watch w({"--no-connector"});
  EXPECT_EQ(read_alerts(w.out()).front()["source"], "proc rescan");
  TempDir dir{"/tmp/hwplant."};
  const pid_t pid = run(plant(dir, "kworker"), {"5"});
  const bool seen = wait_until(
      [&] { return finding_for(read_alerts(w.out()), "process.world-writable-executable", pid); },
      10s);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(seen);
}

TEST(Watch, AWatchdogBringingItsMinerBackIsARespawnLoop) {
  if (!is_root()) GTEST_SKIP() << "the process connector needs root";
  Watch w({});
  TempDir dir{"/tmp/hwplant."};
  const std::string miner = plant(dir, "xmr");
  Spawned watchdog(itest::helper("hw_watchdog"), {"hw_watchdog", miner, "30"});
  // kill the miner twice, as the responders did; the watchdog brings it back
  pid_t last = 0;
  for (int kills = 0; kills < 3; ++kills) {
    pid_t child = 0;
    ASSERT_TRUE(wait_until(
        [&] {
          for (pid_t p : itest::children_of(watchdog.pid()))
            if (p != last && itest::read_link("/proc/" + std::to_string(p) + "/exe").find("xmr") !=
                                 std::string::npos)
              return (child = p) > 0;
          return false;
        },
        10s));
    if (kills < 2) ::kill(child, SIGKILL);
    last = child;
  }
  nlohmann::json loop;
  EXPECT_TRUE(wait_until(
      [&] {
        for (const auto& a : read_alerts(w.out()))
          if (a.value("type", "") == "finding" && a["finding"]["rule"] == "process.respawn-loop")
            return !(loop = a).is_null();
        return false;
      },
      5s))
      << [&] {
           std::string all;
           for (const auto& a : read_alerts(w.out()))
             all += a.value("type", "") + " " +
                    a.value("finding", nlohmann::json::object()).value("rule", "") + " " +
                    a.value("finding", nlohmann::json::object())
                        .value("subject", nlohmann::json::object())
                        .dump() +
                    "\n";
           return all;
         }();
  EXPECT_EQ(loop["finding"]["severity"], "high");
  EXPECT_EQ(loop["finding"]["subject"]["ppid"], watchdog.pid());
  EXPECT_EQ(loop["finding"]["evidence"]["killed_in_window"], 2);
}

// --contain high: the miner's first finding starts `hostward contain --tree`;
// the watchdog and its child end, an unrelated process lives on.
TEST(Watch, ContainHighStopsTheWatchdogTreeOnItsOwn) {
  if (!is_root()) GTEST_SKIP() << "the process connector and containment need root";
  Watch w({"--contain", "high", "--contain-watch-s", "0.5"});
  TempDir dir{"/tmp/hwplant."};
  ::chmod(dir.path().c_str(), 0755);
  const std::string miner = plant(dir, "mysql");
  Spawned bystander("/bin/sleep", {"sleep", "60"});
  // Dropped next to its miner, as in the seed: an installed program would
  // be taken for a service, and the climb would stop below it.
  const std::string dropped = dir.path() + "/init";
  itest::copy_executable(itest::helper("hw_watchdog"), dropped);
  Spawned watchdog(dropped, {"init", miner, "30"});
  nlohmann::json event;
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& a : read_alerts(w.out()))
          if (a.value("type", "") == "contain") return !(event = a).is_null();
        return false;
      },
      15s));
  EXPECT_EQ(event["result"], "contained") << event.dump();
  EXPECT_EQ(event["summary"]["alive"], 0);
  EXPECT_EQ(event["summary"]["respawns"], 0);
  bool watchdog_ended = false;
  for (const auto& t : event["targets"])
    watchdog_ended = watchdog_ended || (t["pid"] == watchdog.pid() && t["result"] == "dead");
  EXPECT_TRUE(watchdog_ended) << event.dump();
  EXPECT_TRUE(event["evidence"].contains("manifest")) << event.dump();
  EXPECT_EQ(::kill(bystander.pid(), 0), 0);
  std::error_code ec;
  if (event["evidence"].contains("dir"))
    std::filesystem::remove_all(event["evidence"]["dir"].get<std::string>(), ec);
}

// A webhook endpoint on loopback: records every POST body, answers 200.
class Receiver {
 public:
  explicit Receiver(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("cannot listen on the test port");
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }

 private:
  void serve() {
    while (!stop_) {
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string req;
      char buf[4096];
      size_t want = std::string::npos;
      while (true) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
        const size_t head = req.find("\r\n\r\n");
        if (head != std::string::npos && want == std::string::npos) {
          const size_t cl = req.find("Content-Length: ");
          want = head + 4 + (cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16)));
        }
        if (want != std::string::npos && req.size() >= want) break;
      }
      const size_t head = req.find("\r\n\r\n");
      if (head != std::string::npos) {
        std::lock_guard<std::mutex> l(mu_);
        bodies_.push_back(req.substr(head + 4));
      }
      const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(c, ok.data(), ok.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::vector<std::string> spooled(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::stringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

TEST(Watch, WebhookAlertsSurviveADownEndpointAndASigkillInOrderOnce) {
  TempDir spool{"/tmp/hwspool."};
  const int port = free_port();
  const std::string url = "webhook:http://127.0.0.1:" + std::to_string(port) + "/alerts";
  TempDir dir{"/tmp/hwplant."};
  std::vector<std::string> expected;
  {
    Watch w({"--no-connector", "--sink", url, "--spool", spool.path()});
    for (const char* name : {"a-miner", "b-miner", "c-miner"}) {
      const pid_t pid = run(plant(dir, name), {"2"});
      EXPECT_TRUE(wait_until(
          [&] {
            return finding_for(read_alerts(w.out()), "process.world-writable-executable", pid);
          },
          10s));
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    // Sinks emit in the order given: the file sink shows the last finding a
    // moment before the webhook sink has fsynced it into the spool. Wait for
    // the spool (started + three findings), then kill: what is spooled must
    // survive a SIGKILL and a down endpoint.
    EXPECT_TRUE(wait_until([&] { return spooled(spool.path()).size() >= 4; }, 10s));
    ::kill(w.pid(), SIGKILL);  // no chance to flush anything
    w.kill();
  }
  expected = spooled(spool.path());
  ASSERT_GE(expected.size(), 4u);  // started + the three findings, at least
  {
    Watch again({"--no-connector", "--sink", url, "--spool", spool.path()});
    Receiver endpoint(port);
    ASSERT_TRUE(wait_until([&] { return spooled(spool.path()).empty(); }, 30s))
        << spooled(spool.path()).size() << " alerts still spooled";
    const auto got = endpoint.bodies();
    // the old alerts first, in order, each once; then the new watch's own
    ASSERT_GE(got.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got[i], expected[i]) << i;
    std::set<std::string> ids;
    for (const auto& b : got) EXPECT_TRUE(ids.insert(nlohmann::json::parse(b)["id"]).second) << b;
  }
}

TEST(Watch, AFloodOfExecsHidesNothing) {
  if (!is_root()) GTEST_SKIP() << "the process connector needs root";
  Watch w({});
  TempDir dir{"/tmp/hwplant."};
  const std::string hidden = plant(dir, "needle");
  pid_t planted = -1;
  std::vector<pid_t> pids;
  for (int i = 0; i < 2000; ++i) {
    if (i == 1000) planted = run(hidden, {"3"});
    pids.push_back(run("/bin/true", {}));
  }
  for (pid_t p : pids) ::waitpid(p, nullptr, 0);
  const bool seen = wait_until(
      [&] {
        return finding_for(read_alerts(w.out()), "process.world-writable-executable", planted);
      },
      10s);
  ::kill(planted, SIGKILL);
  ::waitpid(planted, nullptr, 0);
  EXPECT_TRUE(seen);
  EXPECT_EQ(::kill(w.pid(), 0), 0) << "watch died";
  long resyncs = 0;
  for (const auto& a : read_alerts(w.out()))
    if (a.value("type", "") == "resync") ++resyncs;
  std::cout << "resyncs reported: " << resyncs << "\n";
}

}  // namespace
}  // namespace hostward::watch
