#include "respond/drill.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/terminal.h"
#include "host/collect.h"
#include "host/proc_fs.h"
#include "hunt/hunt.h"
#include "respond/contain.h"
#include "respond/proc_handle.h"

namespace hostward::respond {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string find_postgres() {
  std::string best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string bin = e.path().string() + "/bin/postgres";
    if (::access(bin.c_str(), X_OK) == 0 &&
        ::access((e.path().string() + "/bin/initdb").c_str(), X_OK) == 0 &&
        (best.empty() ||
         std::stoi(e.path().filename().string()) >
             std::stoi(fs::path(best).parent_path().parent_path().filename().string())))
      best = bin;
  }
  return best;
}

int free_loopback_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

void become(const passwd* pw) {
  if (pw == nullptr) return;
  if (::setgroups(0, nullptr) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
    ::_exit(126);
}

void redirect(const std::string& log) {
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
  }
}

// Runs argv as `pw` and waits; the exit status.
int run_as(const passwd* pw, const std::vector<std::string>& argv, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    redirect(log);
    become(pw);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bool copy_file(const std::string& from, const std::string& to, mode_t mode) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  bool ok = in >= 0 && out >= 0;
  struct stat st {};
  if (ok) ok = ::fstat(in, &st) == 0;
  off_t off = 0;
  while (ok && off < st.st_size) {
    const ssize_t n = ::sendfile(out, in, &off, static_cast<size_t>(st.st_size - off));
    if (n <= 0) ok = false;
  }
  if (in >= 0) ::close(in);
  if (out >= 0) {
    ::fchmod(out, mode);
    ::close(out);
  }
  return ok;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Proc {
  int pid = 0;
  unsigned long long start = 0;
};

// Processes running the dropped payload: their exe link points into the drill's tmp.
std::vector<Proc> payload_processes(const std::string& tmp_dir) {
  std::vector<Proc> out;
  for (int pid : host::list_pids()) {
    char link[4096] = {};
    const std::string p = "/proc/" + std::to_string(pid) + "/exe";
    const ssize_t n = ::readlink(p.c_str(), link, sizeof link - 1);
    if (n > 0 && std::string(link).rfind(tmp_dir + "/", 0) == 0)
      out.push_back({pid, start_ticks_of(pid)});
  }
  return out;
}

class Drill {
 public:
  explicit Drill(const DrillOptions& o) : o_(o) {}
  ~Drill() { cleanup(); }

  DrillResult run() {
    report_ = {{"schema", "hostward-drill/v1"},
               {"verify", o_.verify},
               {"duration_s", o_.duration_s},
               {"checks", json::array()}};
    if (::geteuid() != 0)
      return fail("the drill runs as root (it starts a database as its own user)");
    until_ = static_cast<long long>(std::time(nullptr)) + static_cast<long long>(o_.duration_s) + 1;
    char tmpl[] = "/tmp/hostward-drill.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return fail("cannot create a work directory in /tmp");
    work_ = tmpl;
    // Only root and the database's group get in: the payload is dropped and
    // run there as postgres, and no other user may swap it.
    const passwd* pg = ::getpwnam("postgres");
    const gid_t group = pg ? pg->pw_gid : 0;
    ::chown(work_.c_str(), 0, group);
    ::chmod(work_.c_str(), 0750);
    tmp_ = work_ + "/tmp";
    ::mkdir(tmp_.c_str(), 0700);
    if (pg) ::chown(tmp_.c_str(), pg->pw_uid, pg->pw_gid);
    ::mkdir((work_ + "/stage").c_str(), 0750);
    ::chown((work_ + "/stage").c_str(), 0, group);
    stage_ = work_ + "/stage/payload";
    if (!copy_file("/proc/self/exe", stage_, 0750)) return fail("cannot stage the payload");
    ::chown(stage_.c_str(), 0, group);
    report_["work_dir"] = work_;

    const std::string command = fmt::format(
        "cat >/dev/null; cp {} {}/mysql && chmod 0755 {}/mysql && setsid {}/mysql __drill-role "
        "watchdog {} "
        "</dev/null >/dev/null 2>&1 &",
        stage_, tmp_, tmp_, tmp_, until_);
    const std::string postgres = find_postgres();
    const bool ok = !postgres.empty() && ::getpwnam("postgres") != nullptr
                        ? start_postgres(postgres) && attack_postgres(command)
                        : start_stand_in(command);
    if (!ok) return {report_, 2};
    if (!wait_for_payload()) return fail("the payload did not start");
    report_["payload"] = {{"miner", miner_.pid}, {"watchdog", watchdog_.pid}};
    if (!o_.verify) {
      while (static_cast<long long>(std::time(nullptr)) < until_) sleep_ms(200);
      report_["result"] = "drill over, cleaned up";
      return {report_, 0};
    }
    verify();
    bool all = true;
    for (const auto& c : report_["checks"]) all = all && c["pass"].get<bool>();
    report_["result"] = all ? "pass" : "fail";
    return {report_, all ? 0 : 1};
  }

 private:
  DrillResult fail(const std::string& why) {
    report_["error"] = why;
    report_["result"] = "could not run";
    return {report_, 2};
  }

  void check(const std::string& name, bool pass, const std::string& detail = "") {
    report_["checks"].push_back({{"check", name}, {"pass", pass}, {"detail", detail}});
  }

  bool start_postgres(const std::string& postgres) {
    const passwd* pw = ::getpwnam("postgres");
    mode_ = "postgresql";
    data_ = work_ + "/data";
    log_ = work_ + "/postgres.log";
    ::mkdir(data_.c_str(), 0700);
    ::chown(data_.c_str(), pw->pw_uid, pw->pw_gid);
    socket_dir_ = work_ + "/socket";
    ::mkdir(socket_dir_.c_str(), 0700);
    ::chown(socket_dir_.c_str(), pw->pw_uid, pw->pw_gid);
    ::close(::open(log_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ::chown(log_.c_str(), pw->pw_uid, pw->pw_gid);
    const std::string bin = fs::path(postgres).parent_path().string();
    if (run_as(pw, {bin + "/initdb", "-D", data_, "-A", "trust", "-U", "postgres", "--no-sync"},
               log_) != 0) {
      fail("initdb failed: see " + log_);
      return false;
    }
    port_ = free_loopback_port();
    // PostgreSQL as PID 1 of its own PID namespace, as in a container: an
    // orphan left by COPY ... TO PROGRAM is adopted by the postmaster.
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) return false;
    keeper_ = ::fork();
    if (keeper_ == 0) {
      ::close(pipefd[0]);
      const bool own_ns = ::unshare(CLONE_NEWPID) == 0;
      const pid_t pm = ::fork();
      if (pm == 0) {
        redirect(log_);
        become(pw);
        const std::string port = std::to_string(port_);
        ::execl(postgres.c_str(), postgres.c_str(), "-D", data_.c_str(), "-k", socket_dir_.c_str(),
                "-p", port.c_str(), "-c", "listen_addresses=127.0.0.1", "-c",
                "logging_collector=off", "-c", "fsync=off", static_cast<char*>(nullptr));
        ::_exit(127);
      }
      const int msg[2] = {pm, own_ns ? 1 : 0};
      (void)!::write(pipefd[1], msg, sizeof msg);
      int status = 0;
      ::waitpid(pm, &status, 0);
      ::_exit(0);
    }
    ::close(pipefd[1]);
    int msg[2] = {0, 0};
    const bool got = ::read(pipefd[0], msg, sizeof msg) == sizeof msg;
    ::close(pipefd[0]);
    if (!got || msg[0] <= 0) {
      fail("cannot start PostgreSQL");
      return false;
    }
    postmaster_ = {msg[0], 0};
    report_["database"] = {
        {"mode", "postgresql"}, {"pid", msg[0]}, {"port", port_}, {"pid_namespace", msg[1] == 1}};
    conninfo_ = fmt::format(
        "host=127.0.0.1 port={} user=postgres dbname=postgres connect_timeout=3", port_);
    for (int i = 0; i < 100; ++i) {
      if (PQping(conninfo_.c_str()) == PQPING_OK) break;
      sleep_ms(100);
    }
    postmaster_.start = start_ticks_of(postmaster_.pid);
    bystander_ = PQconnectdb(conninfo_.c_str());
    if (PQstatus(bystander_) != CONNECTION_OK) {
      fail("PostgreSQL did not come up: see " + log_);
      return false;
    }
    return true;
  }

  bool attack_postgres(const std::string& command) {
    PGconn* attacker = PQconnectdb(conninfo_.c_str());
    const std::string sql = "COPY (SELECT 1) TO PROGRAM '" + command + "'";
    PGresult* r = PQexec(attacker, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) fail(std::string("COPY ... TO PROGRAM failed: ") + PQerrorMessage(attacker));
    PQclear(r);
    PQfinish(attacker);
    report_["attack"] = "COPY (SELECT 1) TO PROGRAM as superuser postgres over trust auth";
    return ok;
  }

  bool start_stand_in(const std::string& command) {
    mode_ = "stand-in";
    const std::string until = std::to_string(until_);
    const pid_t pid = ::fork();
    if (pid == 0) {
      redirect("/dev/null");
      ::execl(stage_.c_str(), "postgres", "__drill-role", "parent", until.c_str(), command.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    postmaster_ = {pid, 0};
    sleep_ms(50);
    postmaster_.start = start_ticks_of(pid);
    report_["database"] = {{"mode", "stand-in"}, {"pid", pid}};
    return true;
  }

  bool wait_for_payload() {
    for (int i = 0; i < 100; ++i) {
      const auto procs = payload_processes(tmp_);
      for (const auto& p : procs) {
        const auto st = read_stat(p.pid);
        if (!st) continue;
        for (const auto& q : procs)
          if (q.pid == st->ppid) {
            miner_ = p;
            watchdog_ = q;
          }
      }
      if (miner_.pid) return true;
      sleep_ms(50);
    }
    return false;
  }

  void verify() {
    // The seed's first surprise: a killed miner is back at once.
    std::string e;
    if (auto h = PidHandle::open({miner_.pid, miner_.start}, e)) h->send(SIGKILL, e);
    Proc again;
    const auto t0 = Clock::now();
    while (Clock::now() - t0 < std::chrono::seconds(2) && !again.pid) {
      for (const auto& p : payload_processes(tmp_))
        if (p.pid != watchdog_.pid && p.pid != miner_.pid) again = p;
      sleep_ms(5);
    }
    const double back_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    check("a killed miner is respawned by the watchdog", again.pid != 0,
          again.pid ? fmt::format("back as {} after {:.0f} ms", again.pid, back_ms)
                    : "not back in 2 s");
    if (again.pid) miner_ = again;
    sleep_ms(300);

    host::CollectOptions co;
    co.sample_ms = 1000;
    co.probe_hidden = false;
    co.connections = false;
    const auto snap = host::collect_snapshot(co);
    const auto findings = hunt::run_rules(snap, HuntConfig{});
    const auto has = [&](const std::string& rule, int pid) {
      for (const auto& f : findings)
        if (f.rule == rule && f.subject.value("pid", 0) == pid) return true;
      return false;
    };
    check("scan: process.deleted-executable on the miner",
          has("process.deleted-executable", miner_.pid));
    check("scan: process.world-writable-executable on the miner",
          has("process.world-writable-executable", miner_.pid));
    check("scan: process.high-cpu on the miner", has("process.high-cpu", miner_.pid));
    if (mode_ == "postgresql") {
      check("scan: process.database-spawned-child on the watchdog",
            has("process.database-spawned-child", watchdog_.pid));
    }

    ContainOptions c;
    c.pids = {miner_.pid};
    c.tree = true;
    c.watch_s = 3;
    c.evidence_options.out_dir = work_ + "/evidence";
    const auto r = run_contain(c);
    report_["contain"] = r.report;
    bool watchdog_hit = false;
    for (const auto& t : r.report["targets"])
      watchdog_hit = watchdog_hit || (t["pid"] == watchdog_.pid && t["result"] == "dead");
    check("contain: miner and watchdog dead", r.report["result"] == "contained" && watchdog_hit,
          r.report.value("result", std::string()));
    sleep_ms(300);
    const auto left = payload_processes(tmp_);
    check("contain: nothing respawned", left.empty() && r.report["respawns"].empty(),
          fmt::format("{} payload processes left, {} respawns", left.size(),
                      r.report["respawns"].size()));
    const auto& ev = r.report["evidence"];
    check("contain: evidence recorded", ev.contains("manifest"),
          ev.contains("manifest")
              ? ev["manifest"].get<std::string>()
              : ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    const bool db_alive = start_ticks_of(postmaster_.pid) == postmaster_.start;
    check("database server still running, same PID", db_alive, std::to_string(postmaster_.pid));
    if (mode_ == "postgresql") {
      PGresult* q = PQexec(bystander_, "SELECT 1");
      const bool answered = PQresultStatus(q) == PGRES_TUPLES_OK;
      PQclear(q);
      check("an open database session still answers", answered,
            answered ? "" : PQerrorMessage(bystander_));
      const std::string log = slurp(log_);
      const bool crashed =
          log.find("terminating any other active server processes") != std::string::npos ||
          log.find("was terminated by signal") != std::string::npos;
      check("no crash recovery in the server log", !crashed, crashed ? log_ : "");
    }
  }

  void cleanup() {
    for (int round = 0; round < 3 && !tmp_.empty(); ++round) {
      for (const auto& p : payload_processes(tmp_)) {
        std::string e;
        if (auto h = PidHandle::open({p.pid, p.start}, e)) h->send(SIGKILL, e);
      }
      sleep_ms(20);
    }
    if (bystander_) PQfinish(bystander_);
    bystander_ = nullptr;
    if (postmaster_.pid) {
      std::string e;
      if (auto h = PidHandle::open({postmaster_.pid, postmaster_.start}, e)) {
        h->send(mode_ == "postgresql" ? SIGINT : SIGKILL, e);
        for (int i = 0; i < 100 && !h->exited(); ++i) sleep_ms(50);
      }
      if (mode_ == "stand-in") ::waitpid(postmaster_.pid, nullptr, 0);
      postmaster_ = {};
    }
    if (keeper_ > 0) {
      ::waitpid(keeper_, nullptr, 0);
      keeper_ = 0;
    }
    if (!work_.empty() && !o_.keep) {
      std::error_code ec;
      fs::remove_all(work_, ec);
    }
    work_.clear();
    tmp_.clear();
  }

  const DrillOptions& o_;
  json report_;
  long long until_ = 0;
  std::string work_, tmp_, stage_, data_, socket_dir_, log_, mode_, conninfo_;
  int port_ = 0;
  pid_t keeper_ = 0;
  Proc postmaster_, miner_, watchdog_;
  PGconn* bystander_ = nullptr;
};

}  // namespace

DrillResult run_drill(const DrillOptions& options) { return Drill(options).run(); }

std::string drill_text(const json& r, bool color) {
  const Style style{color};
  std::string out = style.bold("hostward drill") + "\n";
  if (r.contains("database")) {
    const auto& d = r["database"];
    out +=
        fmt::format("  database: {} pid {}{}\n", d["mode"].get<std::string>(), d["pid"].get<int>(),
                    d.value("pid_namespace", false) ? " (PID 1 of its own PID namespace)" : "");
  }
  if (r.contains("payload"))
    out += fmt::format("  payload: miner {} under watchdog {}\n", r["payload"]["miner"].get<int>(),
                       r["payload"]["watchdog"].get<int>());
  for (const auto& c : r["checks"]) {
    const bool pass = c["pass"].get<bool>();
    out += "  " + style.paint(pass ? "PASS" : "FAIL", pass ? "32" : "31;1") + "  " +
           c["check"].get<std::string>();
    if (!c["detail"].get<std::string>().empty())
      out += style.dim("  " + c["detail"].get<std::string>());
    out += "\n";
  }
  if (r.contains("error")) out += "  error: " + r["error"].get<std::string>() + "\n";
  out += style.bold("  result: " + r.value("result", std::string())) + "\n";
  return out;
}

}  // namespace hostward::respond
