/* dns_blackhole.c - a name server that never answers: binds UDP ADDR:PORT,
 * reads every query and drops it, so that lookups hang rather than fail.
 *
 *   dns_blackhole ADDR PORT
 *
 * Prints "ready" once bound; on SIGTERM or SIGINT prints "received N" (the
 * queries it swallowed) and exits 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <uv.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  struct sockaddr_storage ss;
  struct sigaction sa;
  unsigned long received = 0;
  char buf[1500];
  int fd;

  if (argc != 3) {
    fprintf(stderr, "usage: dns_blackhole ADDR PORT\n");
    return 2;
  }
  memset(&ss, 0, sizeof ss);
  int port = atoi(argv[2]);
  if (uv_ip4_addr(argv[1], port, (struct sockaddr_in *)&ss) != 0 &&
      uv_ip6_addr(argv[1], port, (struct sockaddr_in6 *)&ss) != 0) {
    fprintf(stderr, "dns_blackhole: bad address %s\n", argv[1]);
    return 2;
  }
  fd = socket(ss.ss_family, SOCK_DGRAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&ss,
                     ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                             : sizeof(struct sockaddr_in6)) != 0) {
    fprintf(stderr, "dns_blackhole: %s:%d: %s\n", argv[1], port,
            strerror(errno));
    return 1;
  }
  /* A signal ends a read (no SA_RESTART); the timeout covers one that
   * lands between the check of stop and the read. */
  struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  printf("ready\n");
  fflush(stdout);
  while (!stop) {
    if (recv(fd, buf, sizeof buf, 0) >= 0)
      received++;
  }
  printf("received %lu\n", received);
  return 0;
}
