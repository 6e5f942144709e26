#include "postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hostward::itest {

namespace fs = std::filesystem;

int free_loopback_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

PostgresServer::PostgresServer() {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin" / "initdb")) dirs.push_back((e.path() / "bin").string());
  }
  std::sort(dirs.begin(), dirs.end());
  if (!dirs.empty()) bindir_ = dirs.back();
}

CommandResult PostgresServer::as_owner(std::vector<std::string> argv) const {
  if (geteuid() == 0) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  if (!netns_.empty()) argv.insert(argv.begin(), {"ip", "netns", "exec", netns_});
  return run_command(argv);
}

bool PostgresServer::start() { return start(PostgresConfig{}); }

bool PostgresServer::start(const PostgresConfig& config) {
  netns_ = config.netns;
  if (bindir_.empty()) {
    why_ = "PostgreSQL server binaries not installed (apt-get install postgresql)";
    return false;
  }
  if (geteuid() == 0 && getpwnam("postgres") == nullptr) {
    why_ = "running as root and there is no postgres user to run the server as";
    return false;
  }
  dir_ = std::make_unique<TempDir>("/tmp/hwtest-pg.");
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (chown(dir_->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      why_ = "cannot chown the data directory to postgres";
      return false;
    }
  }
  const std::string data = dir_->path() + "/data";
  auto r = as_owner({bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-N"});
  if (r.exit_code != 0) {
    why_ = "initdb failed: " + r.err;
    return false;
  }
  if (!config.hba.empty()) {
    std::ofstream(data + "/pg_hba.conf") << config.hba;
  }
  port_ = config.port ? config.port : free_loopback_port();
  const std::string opts = "-p " + std::to_string(port_) + " -k " + dir_->path() +
                           " -c listen_addresses=" + config.listen + " -c fsync=off";
  if (config.pid_namespace) {
    const std::string cmd =
        "exec unshare --pid --fork --kill-child setpriv --reuid=postgres "
        "--regid=postgres --init-groups " +
        bin("postgres") + " -D " + data + " " + opts + " >>" + dir_->path() + "/log 2>&1";
    launcher_ = std::make_unique<Spawned>("/bin/sh", std::vector<std::string>{"sh", "-c", cmd});
    started_ = true;
    bool ready = false;
    for (int i = 0; i < 200 && !ready; ++i) {
      ready = as_owner({bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", std::to_string(port_)})
                  .exit_code == 0;
      if (!ready) usleep(100 * 1000);
    }
    const auto kids = children_of(launcher_->pid());
    ns_postmaster_ = kids.empty() ? 0 : kids.front();
    if (!ready || ns_postmaster_ == 0) {
      std::ifstream log(dir_->path() + "/log");
      why_ = "postgres in a PID namespace did not start: " +
             std::string(std::istreambuf_iterator<char>(log), {});
      return false;
    }
    r = {0, "", ""};
  } else {
    r = as_owner({bin("pg_ctl"), "-D", data, "-o", opts, "-l", dir_->path() + "/log", "-w", "-t",
                  "60", "start"});
  }
  if (r.exit_code != 0) {
    std::ifstream log(dir_->path() + "/log");
    why_ = "pg_ctl start failed: " + r.err + std::string(std::istreambuf_iterator<char>(log), {});
    return false;
  }
  started_ = true;
  for (const auto& sql : config.setup_sql) {
    r = as_owner({bin("psql"), "-h", dir_->path(), "-p", std::to_string(port_), "-U", "postgres",
                  "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql});
    if (r.exit_code != 0) {
      why_ = "setup SQL failed (" + sql + "): " + r.err;
      return false;
    }
  }
  return true;
}

std::string PostgresServer::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " user=postgres dbname=postgres connect_timeout=5";
}

PostgresServer::~PostgresServer() {
  if (ns_postmaster_ > 0) {
    kill(ns_postmaster_, SIGINT);
    for (int i = 0; i < 100 && kill(ns_postmaster_, 0) == 0; ++i) usleep(50 * 1000);
    return;  // launcher_ reaps unshare
  }
  if (started_ && !launcher_)
    as_owner({bin("pg_ctl"), "-D", dir_->path() + "/data", "-m", "immediate", "-w", "stop"});
}

pid_t PostgresServer::postmaster_pid() const {
  if (ns_postmaster_ > 0) return ns_postmaster_;
  std::ifstream in(dir_->path() + "/data/postmaster.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

pid_t PostgresServer::parent_of(pid_t pid) const {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

pid_t PostgresServer::find_descendant(const std::string& comm) const {
  std::vector<pid_t> queue = {postmaster_pid()};
  while (!queue.empty()) {
    const pid_t p = queue.back();
    queue.pop_back();
    for (pid_t c : children_of(p)) {
      std::ifstream in("/proc/" + std::to_string(c) + "/comm");
      std::string name;
      std::getline(in, name);
      if (name == comm) return c;
      queue.push_back(c);
    }
  }
  return 0;
}

}  // namespace hostward::itest
