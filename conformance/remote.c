#include "remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct sockaddr_in to_sin(const struct ike_endpoint *ep)
{
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(ep->addr);
  sin.sin_port = htons(ep->port);
  return sin;
}

bool remote_parse_endpoint(const char *text, struct ike_endpoint *ep, char *why, size_t whylen)
{
  char host[64];
  const char *colon = strrchr(text, ':');
  if (!colon || (size_t)(colon - text) >= sizeof host) {
    snprintf(why, whylen, "\"%s\": want ADDR:PORT (e.g. 10.0.0.2:500)", text);
    return false;
  }
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  struct in_addr in;
  if (inet_pton(AF_INET, host, &in) != 1) {
    snprintf(why, whylen, "\"%s\": \"%s\" is not an IPv4 address", text, host);
    return false;
  }
  char *end;
  errno = 0;
  unsigned long port = strtoul(colon + 1, &end, 10);
  if (errno || *end || end == colon + 1 || port > 65535) {
    snprintf(why, whylen, "\"%s\": port \"%s\" is not 0-65535", text, colon + 1);
    return false;
  }
  ep->addr = ntohl(in.s_addr);
  ep->port = (uint16_t)port;
  return true;
}

/* The address the kernel routes towards peer from (a connected probe). */
static bool source_towards(const struct ike_endpoint *peer, uint32_t *addr)
{
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sin = to_sin(peer), me;
  socklen_t len = sizeof me;
  bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
            getsockname(fd, (struct sockaddr *)&me, &len) == 0;
  if (ok)
    *addr = ntohl(me.sin_addr.s_addr);
  if (fd >= 0)
    close(fd);
  return ok;
}

bool remote_open(struct remote_link *l, const struct ike_endpoint *local,
                 const struct ike_endpoint *peer, char *why, size_t whylen)
{
  memset(l, 0, sizeof *l);
  l->fd = -1;
  l->local = *local;
  if (peer) {
    l->peer = *peer;
    l->peer_known = true;
    if (l->local.addr == 0 && !source_towards(peer, &l->local.addr)) {
      snprintf(why, whylen, "no route to %u.%u.%u.%u: %s", peer->addr >> 24,
               (peer->addr >> 16) & 255, (peer->addr >> 8) & 255, peer->addr & 255,
               strerror(errno));
      return false;
    }
  }
  l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sin = to_sin(&l->local);
  socklen_t len = sizeof sin;
  if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
      getsockname(l->fd, (struct sockaddr *)&sin, &len) != 0) {
    snprintf(why, whylen, "cannot bind UDP %u.%u.%u.%u:%u: %s", l->local.addr >> 24,
             (l->local.addr >> 16) & 255, (l->local.addr >> 8) & 255, l->local.addr & 255,
             l->local.port, strerror(errno));
    remote_close(l);
    return false;
  }
  l->local.port = ntohs(sin.sin_port);
  l->t0_ns = mono_ns();
  return true;
}

void remote_close(struct remote_link *l)
{
  if (l->fd >= 0)
    close(l->fd);
  l->fd = -1;
}

uint64_t remote_now_ms(const struct remote_link *l, uint64_t base)
{
  return base + (mono_ns() - l->t0_ns) / 1000000u;
}

bool remote_send(struct remote_link *l, const uint8_t *pkt, size_t len, char *why,
                 size_t whylen)
{
  struct sockaddr_in sin = to_sin(&l->peer);
  if (!l->peer_known) {
    snprintf(why, whylen, "no peer yet to send %zu bytes to", len);
    return false;
  }
  if (sendto(l->fd, pkt, len, 0, (struct sockaddr *)&sin, sizeof sin) != (ssize_t)len) {
    snprintf(why, whylen, "sendto %u.%u.%u.%u:%u: %s", l->peer.addr >> 24,
             (l->peer.addr >> 16) & 255, (l->peer.addr >> 8) & 255, l->peer.addr & 255,
             l->peer.port, strerror(errno));
    return false;
  }
  return true;
}

size_t remote_recv(struct remote_link *l, unsigned timeout_ms, uint8_t *out, size_t cap)
{
  uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000u;
  for (;;) {
    uint64_t now = mono_ns();
    int wait = now >= deadline ? 0 : (int)((deadline - now + 999999) / 1000000);
    struct pollfd p = {.fd = l->fd, .events = POLLIN};
    int r = poll(&p, 1, wait);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return 0;
    struct sockaddr_in from;
    socklen_t flen = sizeof from;
    ssize_t got = recvfrom(l->fd, out, cap, 0, (struct sockaddr *)&from, &flen);
    if (got <= 0)
      continue;
    struct ike_endpoint src = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
    if (!l->peer_known) {
      l->peer = src;
      l->peer_known = true;
    }
    if (src.addr == l->peer.addr && src.port == l->peer.port)
      return (size_t)got;
    /* A stranger's datagram: not part of the test, ignored. */
  }
}
