/* The seed's watchdog: keeps the payload argv[1] in memory, and whenever its
   child is gone writes it out again, runs it, and deletes the file as soon as
   the child has exec'd: the binary is never on disk for long. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char* slurp(const char* path, size_t* size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) return NULL;
  char* buf = malloc((size_t)st.st_size);
  size_t got = 0;
  while (buf && got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n <= 0) break;
    got += (size_t)n;
  }
  close(fd);
  *size = got;
  return buf;
}

static int drop(const char* path, const char* data, size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0) return -1;
  size_t put = 0;
  while (put < size) {
    ssize_t n = write(fd, data + put, size - put);
    if (n <= 0) break;
    put += (size_t)n;
  }
  close(fd);
  return put == size ? 0 : -1;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
    return 2;
  }
  size_t size = 0;
  char* payload = slurp(argv[1], &size);
  if (payload == NULL) return 1;
  for (int spawned = 0; spawned < 50; ++spawned) {
    if (drop(argv[1], payload, size) != 0) return 1;
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
      close(sync[0]);
      execv(argv[1], argv + 1);
      _exit(127);
    }
    close(sync[1]);
    char c;
    while (read(sync[0], &c, 1) > 0) {
    } /* EOF: the child has exec'd (or died) */
    close(sync[0]);
    unlink(argv[1]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
    }
    usleep(100 * 1000);
  }
  return 0;
}
