/* The daemon's two UDP sockets: IKE (500) and NAT-T (4500). On the NAT-T
 * port every IKE message carries a 4-byte zero non-ESP marker (RFC 3948
 * §2.2); it is stripped here on input and added on output, so the engine
 * never sees it. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon.h"

static int udp_bind(uint32_t addr, uint16_t port, char *err, size_t errlen)
{
  char text[16];
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  /* IP_PKTINFO gives each datagram's destination address: with 0.0.0.0 the
   * engine still needs to know which of our addresses the peer used. */
  int on = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
                           .sin_addr.s_addr = htonl(addr)};
  if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    snprintf(err, errlen, "bind %s:%u: %s", ipv4_text(addr, text), port, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

bool net_open(struct daemon_net *n, uint32_t addr, uint16_t ike_port, uint16_t natt_port,
              char *err, size_t errlen)
{
  memset(n, 0, sizeof *n);
  n->addr = addr;
  n->ike_port = ike_port;
  n->natt_port = natt_port;
  n->fd_natt = -1;
  n->fd_ike = udp_bind(addr, ike_port, err, errlen);
  if (n->fd_ike < 0)
    return false;
  n->fd_natt = udp_bind(addr, natt_port, err, errlen);
  if (n->fd_natt < 0) {
    close(n->fd_ike);
    n->fd_ike = -1;
    return false;
  }
  return true;
}

void net_close(struct daemon_net *n)
{
  if (n->fd_ike >= 0)
    close(n->fd_ike);
  if (n->fd_natt >= 0)
    close(n->fd_natt);
  n->fd_ike = n->fd_natt = -1;
}

/* Drops keepalives and runts arriving on the NAT-T port; strips the marker
 * of IKE; leaves ESP whole. Returns the length or -1. */
static long natt_unwrap(struct daemon_net *n, uint8_t *buf, size_t len, bool *esp)
{
  struct buf_reader r;
  uint8_t first;
  uint32_t marker;
  br_init(&r, buf, len);
  if (len == 1 && br_peek_u8(&r, 0, &first) && first == 0xff) {
    n->drops.keepalive++;
    return -1;
  }
  if (!br_u32(&r, &marker)) {
    n->drops.runt++;
    return -1;
  }
  if (marker != 0) { /* RFC 3948: a non-zero first word is an ESP SPI */
    *esp = true;
    return (long)len;
  }
  return (long)slice_move(br_rest(&r), buf, len);
}

long net_recv(struct daemon_net *n, int fd, uint8_t *buf, size_t cap, struct ike_endpoint *from,
              struct ike_endpoint *to, bool *esp)
{
  struct sockaddr_in src;
  *esp = false;
  union {
    struct cmsghdr align;
    uint8_t space[CMSG_SPACE(sizeof(struct in_pktinfo))];
  } control;
  struct iovec iov = {.iov_base = buf, .iov_len = cap};
  struct msghdr msg = {.msg_name = &src, .msg_namelen = sizeof src, .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = control.space,
                       .msg_controllen = sizeof control.space};
  ssize_t got = recvmsg(fd, &msg, 0);
  if (got < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
  if (msg.msg_flags & MSG_TRUNC)
    return -1; /* bigger than any datagram we accept */
  from->addr = ntohl(src.sin_addr.s_addr);
  from->port = ntohs(src.sin_port);
  to->addr = n->addr;
  to->port = fd == n->fd_natt ? n->natt_port : n->ike_port;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      to->addr = ntohl(pi.ipi_addr.s_addr);
    }
  }
  if (fd == n->fd_natt)
    return natt_unwrap(n, buf, (size_t)got, esp);
  return (long)got;
}

/* natt: the datagram leaves the NAT-T socket; marker: prefixed by the
 * non-ESP marker (IKE there) or not (ESP and keepalives). */
static bool send_on(struct daemon_net *n, bool natt, bool with_marker, struct ike_endpoint from,
                    struct ike_endpoint to, const uint8_t *data, size_t len)
{
  static const uint8_t marker[4];
  struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(to.port),
                            .sin_addr.s_addr = htonl(to.addr)};
  struct iovec iov[2] = {{.iov_base = (void *)marker, .iov_len = sizeof marker},
                         {.iov_base = (void *)data, .iov_len = len}};
  struct msghdr msg = {.msg_name = &dst, .msg_namelen = sizeof dst,
                       .msg_iov = with_marker ? iov : iov + 1,
                       .msg_iovlen = with_marker ? 2 : 1};
  /* Bound to any address: answer from the address the engine chose. */
  union {
    struct cmsghdr align;
    uint8_t space[CMSG_SPACE(sizeof(struct in_pktinfo))];
  } control;
  if (n->addr == 0 && from.addr != 0) {
    memset(&control, 0, sizeof control);
    msg.msg_control = control.space;
    msg.msg_controllen = sizeof control.space;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    struct in_pktinfo pi = {.ipi_spec_dst.s_addr = htonl(from.addr)};
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
  }
  return sendmsg(natt ? n->fd_natt : n->fd_ike, &msg, 0) >= 0;
}

bool net_send(struct daemon_net *n, struct ike_endpoint from, struct ike_endpoint to,
              const uint8_t *data, size_t len)
{
  bool natt = from.port == n->natt_port;
  return send_on(n, natt, natt, from, to, data, len);
}

bool net_send_esp(struct daemon_net *n, struct ike_endpoint from, struct ike_endpoint to,
                  const uint8_t *data, size_t len)
{
  return send_on(n, true, false, from, to, data, len);
}
