/* The TUN device inner packets go in and out of: IFF_TUN (IP packets, no
 * Ethernet) and IFF_NO_PI (no 4-byte packet-info prefix), non-blocking.
 * Addresses and routes are the administrator's (`ip addr`, `ip route`): the
 * device vanishes with the daemon, so nothing is left configured. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "daemon.h"

int tun_open(const char *name, char *err, size_t errlen)
{
  struct ifreq ifr;
  if (strlen(name) == 0 || strlen(name) >= sizeof ifr.ifr_name) {
    snprintf(err, errlen, "TUN name \"%s\": 1 to %zu characters", name, sizeof ifr.ifr_name - 1);
    return -1;
  }
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, errlen, "open /dev/net/tun: %s", strerror(errno));
    return -1;
  }
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name) + 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    snprintf(err, errlen, "TUNSETIFF %s: %s", name, strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

long tun_read(int fd, uint8_t *buf, size_t cap)
{
  ssize_t got = read(fd, buf, cap);
  if (got < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
  return got == 0 ? -1 : (long)got;
}

bool tun_write(int fd, const uint8_t *pkt, size_t len)
{
  /* One write is one packet; a short write cannot happen on a TUN device. */
  return write(fd, pkt, len) == (ssize_t)len;
}
