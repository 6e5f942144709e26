// The drill's payload roles. They run from a copy of hostward dropped by the
// drill's "attacker" and are bounded: they end by themselves at UNTIL.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "respond/drill.h"

extern char** environ;

namespace hostward::respond {

namespace {

bool before(long long until) { return static_cast<long long>(std::time(nullptr)) < until; }

int miner(long long until) {
  volatile unsigned long x = 0;
  while (before(until)) {
    for (int i = 0; i < 5000000; ++i) x = x + static_cast<unsigned long>(i) * 2654435761u;
  }
  return 0;
}

// Keeps its own image open, unlinks it, and starts it again as "mysql" each
// time the child is gone: the seed's fileless respawner.
int watchdog(long long until) {
  const int image = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (image < 0) return 1;
  char path[4096] = {};
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  // Only ever unlinks a file the drill dropped.
  if (n > 0 && std::strstr(path, "/hostward-drill.") != nullptr &&
      std::strstr(path, " (deleted)") == nullptr)
    ::unlink(path);
  const std::string deadline = std::to_string(until);
  for (int spawned = 0; spawned < 5000 && before(until); ++spawned) {
    const pid_t child = ::fork();
    if (child < 0) return 1;
    if (child == 0) {
      const char* argv[] = {"mysql", "__drill-role", "miner", deadline.c_str(), nullptr};
      ::fexecve(image, const_cast<char* const*>(argv), environ);
      ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
    }
    ::usleep(50 * 1000);  // back within 100 ms
  }
  return 0;
}

// Stands in for PostgreSQL's postmaster when it is not installed: runs the
// attacker's command through sh like COPY ... TO PROGRAM, and like a
// container's PID 1 adopts what it leaves behind.
int stand_in_parent(long long until, const char* command) {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  const pid_t sh = ::fork();
  if (sh == 0) {
    ::execl("/bin/sh", "sh", "-c", command, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  while (before(until)) {
    int status = 0;
    if (::waitpid(-1, &status, WNOHANG) <= 0) ::usleep(20 * 1000);
  }
  return 0;
}

}  // namespace

int run_drill_role(int argc, char** argv) {
  if (argc < 4) return 2;
  const std::string role = argv[2];
  const long long until = std::atoll(argv[3]);
  // Never longer than ten minutes, whatever the caller asked.
  const long long cap = static_cast<long long>(std::time(nullptr)) + 600;
  const long long end = until < cap ? until : cap;
  if (role == "miner") return miner(end);
  if (role == "watchdog") return watchdog(end);
  if (role == "parent" && argc >= 5) return stand_in_parent(end, argv[4]);
  return 2;
}

}  // namespace hostward::respond
