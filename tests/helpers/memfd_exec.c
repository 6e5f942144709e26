/* Copies the executable argv[1] into a memfd named "hwtest-payload" and runs it
   from there with argv[2..] (argv[2] becomes its argv[0]): fileless execution. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s EXECUTABLE ARGV0 [ARGS...]\n", argv[0]);
    return 2;
  }
  int in = open(argv[1], O_RDONLY | O_CLOEXEC);
  int mem = memfd_create("hwtest-payload", MFD_CLOEXEC);
  if (in < 0 || mem < 0) return 1;
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0) {
    if (write(mem, buf, (size_t)n) != n) return 1;
  }
  close(in);
  fexecve(mem, argv + 2, environ);
  perror("fexecve");
  return 1;
}
