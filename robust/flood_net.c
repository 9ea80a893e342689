/* Sockets and the clock for ike_flood. The raw socket lets every datagram
 * carry its own source port (a flood of distinct "peers" from one address
 * in the namespace) without one socket per port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flood.h"

double flood_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t flood_now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void flood_random(void *ctx, uint8_t *out, size_t len)
{
  (void)ctx;
  while (len > 0) {
    ssize_t got = getrandom(out, len, 0);
    if (got <= 0)
      continue; /* EINTR; getrandom does not fail otherwise for small reads */
    out += got;
    len -= (size_t)got;
  }
}

bool parse_ipv4(const char *s, uint32_t *out)
{
  struct in_addr a;
  if (inet_pton(AF_INET, s, &a) != 1)
    return false;
  *out = ntohl(a.s_addr);
  return true;
}

int raw_open(char *err, size_t errlen)
{
  /* IPPROTO_RAW implies IP_HDRINCL: we write the IPv4 header. */
  int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (fd < 0)
    snprintf(err, errlen, "raw socket: %s (needs root or CAP_NET_RAW)", strerror(errno));
  return fd;
}

static void put16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
  put16(p, (uint16_t)(v >> 16));
  put16(p + 2, (uint16_t)v);
}

/* The Internet checksum's running sum over bytes (RFC 1071). */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
  for (size_t i = 0; i + 1 < len; i += 2)
    sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1)
    sum += (uint32_t)(p[len - 1] << 8);
  return sum;
}

static uint16_t fold(uint32_t sum)
{
  while (sum >> 16)
    sum = (sum & 0xffffu) + (sum >> 16);
  return (uint16_t)~sum;
}

bool raw_send(int fd, struct ike_endpoint src, struct ike_endpoint dst, bool marker,
              const uint8_t *payload, size_t len)
{
  static uint8_t pkt[20 + 8 + 4 + FLOOD_MAX_DGRAM];
  size_t mlen = marker ? 4 : 0;
  if (len > FLOOD_MAX_DGRAM)
    return false;
  size_t ulen = 8 + mlen + len, total = 20 + ulen;
  uint8_t *ip = pkt, *udp = pkt + 20;
  memset(ip, 0, 20);
  ip[0] = 0x45;
  put16(ip + 2, (uint16_t)total);
  ip[8] = 64;
  ip[9] = IPPROTO_UDP;
  put32(ip + 12, src.addr);
  put32(ip + 16, dst.addr);
  /* id 0 and checksum 0: the kernel fills both in for IP_HDRINCL. */
  put16(udp, src.port);
  put16(udp + 2, dst.port);
  put16(udp + 4, (uint16_t)ulen);
  put16(udp + 6, 0);
  memset(udp + 8, 0, mlen);
  memcpy(udp + 8 + mlen, payload, len);
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8);
  pseudo[8] = 0;
  pseudo[9] = IPPROTO_UDP;
  put16(pseudo + 10, (uint16_t)ulen);
  uint16_t ck = fold(sum16(sum16(0, pseudo, sizeof pseudo), udp, ulen));
  put16(udp + 6, ck ? ck : 0xffff);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst.addr)};
  return sendto(fd, pkt, total, 0, (struct sockaddr *)&to, sizeof to) == (ssize_t)total;
}

int udp_open(struct ike_endpoint local, char *err, size_t errlen)
{
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    snprintf(err, errlen, "udp socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(local.port),
                          .sin_addr.s_addr = htonl(local.addr)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    char t[16];
    inet_ntop(AF_INET, &a.sin_addr, t, sizeof t);
    snprintf(err, errlen, "bind %s:%u: %s", t, local.port, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

bool udp_send(int fd, struct ike_endpoint to, const uint8_t *data, size_t len)
{
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(to.port),
                          .sin_addr.s_addr = htonl(to.addr)};
  for (;;) {
    ssize_t n = sendto(fd, data, len, 0, (struct sockaddr *)&a, sizeof a);
    if (n == (ssize_t)len)
      return true;
    if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
      /* A full queue under our own flood: wait for room, do not lose it. */
      struct pollfd p = {.fd = fd, .events = POLLOUT};
      poll(&p, 1, 10);
      continue;
    }
    return false;
  }
}

long udp_recv(int fd, uint8_t *buf, size_t cap, struct ike_endpoint *from, int wait_ms)
{
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, wait_ms);
  if (r == 0)
    return 0;
  if (r < 0)
    return errno == EINTR ? 0 : -1;
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&a, &alen);
  if (n < 0)
    return errno == EAGAIN ? 0 : -1;
  from->addr = ntohl(a.sin_addr.s_addr);
  from->port = ntohs(a.sin_port);
  return (long)n;
}
