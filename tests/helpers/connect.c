// hw_connect [-s SRC] ADDR PORT TIMEOUT_MS: one TCP connect; prints "open",
// "refused" or "timeout" (or "error: ...") and exits 0 on any of them.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fill(const char* text, int port, struct sockaddr_storage* ss, socklen_t* len) {
  memset(ss, 0, sizeof *ss);
  if (strchr(text, ':')) {
    struct sockaddr_in6* s = (struct sockaddr_in6*)ss;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons((uint16_t)port);
    *len = sizeof *s;
    return inet_pton(AF_INET6, text, &s->sin6_addr) == 1 ? AF_INET6 : -1;
  }
  struct sockaddr_in* s = (struct sockaddr_in*)ss;
  s->sin_family = AF_INET;
  s->sin_port = htons((uint16_t)port);
  *len = sizeof *s;
  return inet_pton(AF_INET, text, &s->sin_addr) == 1 ? AF_INET : -1;
}

int main(int argc, char** argv) {
  const char* src = NULL;
  if (argc == 6 && strcmp(argv[1], "-s") == 0) {
    src = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc != 4) {
    fprintf(stderr, "usage: hw_connect [-s SRC] ADDR PORT TIMEOUT_MS\n");
    return 2;
  }
  struct sockaddr_storage dst;
  socklen_t dlen;
  const int family = fill(argv[1], atoi(argv[2]), &dst, &dlen);
  if (family < 0) {
    printf("error: bad address\n");
    return 0;
  }
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (src) {
    struct sockaddr_storage s;
    socklen_t slen;
    if (fill(src, 0, &s, &slen) != family || bind(fd, (struct sockaddr*)&s, slen) != 0) {
      printf("error: bind %s: %s\n", src, strerror(errno));
      return 0;
    }
  }
  if (connect(fd, (struct sockaddr*)&dst, dlen) == 0) {
    printf("open\n");
    return 0;
  }
  if (errno != EINPROGRESS) {
    printf(errno == ECONNREFUSED ? "refused\n" : "error: %s\n", strerror(errno));
    return 0;
  }
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  if (poll(&p, 1, atoi(argv[3])) <= 0) {
    printf("timeout\n");
    return 0;
  }
  int err = 0;
  socklen_t elen = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  if (err == 0)
    printf("open\n");
  else if (err == ECONNREFUSED)
    printf("refused\n");
  else if (err == EHOSTUNREACH || err == ENETUNREACH)
    printf("unreachable\n");
  else
    printf("error: %s\n", strerror(err));
  return 0;
}
