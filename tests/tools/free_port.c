/* free_port.c - prints a TCP port that is free on ADDR (default 127.0.0.1)
 * right now, for a test server to listen on.
 *
 * The port is drawn at random just below the kernel's ephemeral range
 * (ip_local_port_range), tried with a bind and released: a port from the
 * ephemeral range itself could be taken by any outgoing connection (the
 * probes of the tests running beside this one) before the server binds it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SPAN 8000

static unsigned ephemeral_low(void) {
  unsigned lo = 32768, hi;
  FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
  if (f != NULL) {
    if (fscanf(f, "%u %u", &lo, &hi) != 2)
      lo = 32768;
    fclose(f);
  }
  return lo > 1024 + SPAN ? lo : 1024 + SPAN;
}

int main(int argc, char **argv) {
  const char *addr = argc > 1 ? argv[1] : "127.0.0.1";
  struct sockaddr_storage ss;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  socklen_t len;

  memset(&ss, 0, sizeof(ss));
  if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    len = sizeof(*s6);
  } else if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    len = sizeof(*s4);
  } else {
    fprintf(stderr, "free_port: '%s' is not an IP address\n", addr);
    return 2;
  }

  unsigned low = ephemeral_low() - SPAN;
  srand((unsigned)time(NULL) ^ (unsigned)getpid() << 8);
  for (int tries = 0; tries < 200; tries++) {
    unsigned port = low + (unsigned)rand() % SPAN;
    if (ss.ss_family == AF_INET6)
      s6->sin6_port = htons((uint16_t)port);
    else
      s4->sin_port = htons((uint16_t)port);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      perror("free_port: socket");
      return 1;
    }
    int ok = bind(fd, (struct sockaddr *)&ss, len) == 0;
    close(fd);
    if (ok) {
      printf("%u\n", port);
      return 0;
    }
  }
  fprintf(stderr, "free_port: no free port found on %s\n", addr);
  return 1;
}
