/* Adversaries for the containment tests, each bounded so a failed test
   leaves nothing running for long:
     respawn DELAY_US PROGRAM [ARGS...]  restart PROGRAM DELAY_US after each death
     escape                              double-fork, setsid, leave a sleeper behind, then wait
     forkbomb LIMIT UID                  as UID, under RLIMIT_NPROC=LIMIT, fork without end
     spread N                            N-1 sleeping children, then sleep (a tree of N)
     sleep                               sleep (a bystander)                                   */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int kLifetimeS = 120;

static void sleep_out(void) {
  const time_t end = time(NULL) + kLifetimeS;
  while (time(NULL) < end) usleep(10 * 1000);
  _exit(0);
}

static int respawn(long delay_us, char** argv) {
  const time_t end = time(NULL) + kLifetimeS;
  for (int n = 0; n < 100000 && time(NULL) < end; ++n) {
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      execv(argv[0], argv);
      _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    usleep((useconds_t)delay_us);
  }
  return 0;
}

static int escape(void) {
  pid_t c = fork();
  if (c == 0) {
    setsid();
    if (fork() == 0) sleep_out(); /* the escapee: another session, parent gone */
    _exit(0);
  }
  waitpid(c, NULL, 0);
  sleep_out();
  return 0;
}

static int forkbomb(long limit, uid_t uid) {
  struct rlimit r = {(rlim_t)limit, (rlim_t)limit};
  if (setrlimit(RLIMIT_NPROC, &r) != 0) return 1;
  if (getuid() == 0 && (setgid(uid) != 0 || setuid(uid) != 0)) return 1;
  const time_t end = time(NULL) + kLifetimeS;
  while (time(NULL) < end) {
    if (fork() < 0) usleep(1000); /* at the limit: try again, as a bomb does */
  }
  return 0;
}

static int spread(long n) {
  for (long i = 1; i < n; ++i)
    if (fork() == 0) sleep_out();
  sleep_out();
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 4 && strcmp(argv[1], "respawn") == 0) return respawn(atol(argv[2]), argv + 3);
  if (argc >= 2 && strcmp(argv[1], "escape") == 0) return escape();
  if (argc >= 4 && strcmp(argv[1], "forkbomb") == 0)
    return forkbomb(atol(argv[2]), (uid_t)atol(argv[3]));
  if (argc >= 3 && strcmp(argv[1], "spread") == 0) return spread(atol(argv[2]));
  if (argc >= 2 && strcmp(argv[1], "sleep") == 0) sleep_out();
  fprintf(stderr,
          "usage: %s respawn DELAY_US PROGRAM [ARGS] | escape | forkbomb LIMIT UID | spread N | "
          "sleep\n",
          argv[0]);
  return 2;
}
