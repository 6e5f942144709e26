// hw_listen ADDR PORT [ADDR PORT ...]: listens on each TCP address (an
// address with ':' is IPv6; prefix it with '6' as in 6:: for v6-only), accepts
// and closes connections until killed. Prints "ready" once all are bound.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3 || (argc - 1) % 2 != 0) {
    fprintf(stderr, "usage: hw_listen ADDR PORT [ADDR PORT ...]\n");
    return 2;
  }
  const int n = (argc - 1) / 2;
  struct pollfd* fds = calloc((size_t)n, sizeof *fds);
  for (int i = 0; i < n; ++i) {
    const char* addr = argv[1 + 2 * i];
    const int port = atoi(argv[2 + 2 * i]);
    int v6only = 0;
    if (addr[0] == '6' && addr[1] == ':') {
      v6only = 1;
      addr += 1;
    }
    const int v6 = strchr(addr, ':') != NULL;
    const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc;
    if (v6) {
      setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
      struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
      inet_pton(AF_INET6, addr, &sa.sin6_addr);
      rc = bind(fd, (struct sockaddr*)&sa, sizeof sa);
    } else {
      struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
      inet_pton(AF_INET, addr, &sa.sin_addr);
      rc = bind(fd, (struct sockaddr*)&sa, sizeof sa);
    }
    if (rc != 0 || listen(fd, 64) != 0) {
      fprintf(stderr, "hw_listen: %s port %d: ", addr, port);
      perror("");
      return 1;
    }
    fds[i].fd = fd;
    fds[i].events = POLLIN;
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) {
    if (poll(fds, (nfds_t)n, -1) < 0) continue;
    for (int i = 0; i < n; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const int c = accept(fds[i].fd, NULL, NULL);
      if (c >= 0) close(c);
    }
  }
}
