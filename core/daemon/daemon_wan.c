/* The WAN address (config key wan_interface): a DHCP or PPP lease can give
 * the router a new public address at any time. ikelabd looks at the
 * interface's first IPv4 address once a second from its poll loop (no
 * netlink socket: one getifaddrs() a second is cheap and needs no state) and
 * tells the engine when it changed, which logs P1 and drops the SAs bound to
 * the old address. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"

/* WAN_NONE: nothing looked at yet (struct daemon_wan's state starts so). */
enum wan_state { WAN_NONE = -1, WAN_UP, WAN_NO_ADDR, WAN_NO_IFACE, WAN_ERROR };

static enum wan_state lookup(const char *ifname, uint32_t *addr, int *err)
{
  struct ifaddrs *all;
  if (getifaddrs(&all) < 0) {
    *err = errno;
    return WAN_ERROR;
  }
  enum wan_state st = WAN_NO_IFACE;
  /* The kernel lists an interface's IPv4 addresses primary first. */
  for (const struct ifaddrs *i = all; i && st != WAN_UP; i = i->ifa_next) {
    if (strcmp(i->ifa_name, ifname) != 0)
      continue;
    st = WAN_NO_ADDR; /* it exists (every interface has an AF_PACKET entry) */
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
      struct sockaddr_in sin;
      memcpy(&sin, i->ifa_addr, sizeof sin); /* no cast: alignment and aliasing */
      *addr = ntohl(sin.sin_addr.s_addr);
      st = *addr ? WAN_UP : WAN_NO_ADDR;
    }
  }
  freeifaddrs(all);
  return st;
}

/* Each state is noted once, when it begins: a long PPP outage must not
 * write a line a second. */
static void note_state(struct daemon_wan *w, enum wan_state st, uint32_t addr, int err,
                       struct daemon_log *log)
{
  if ((int)st == w->state)
    return;
  w->state = (int)st;
  char a[16];
  switch (st) {
  case WAN_NONE: break;
  case WAN_UP:
    dlog_note(log, "wan_interface %s has IPv4 address %s", w->ifname, ipv4_text(addr, a));
    break;
  case WAN_NO_ADDR:
    dlog_note(log, "wan_interface %s has no IPv4 address; waiting for one (engine keeps %s)",
              w->ifname, ipv4_text(w->addr, a));
    break;
  case WAN_NO_IFACE:
    dlog_note(log, "wan_interface %s does not exist; waiting for it (engine keeps %s)",
              w->ifname, ipv4_text(w->addr, a));
    break;
  case WAN_ERROR:
    dlog_note(log, "wan_interface %s: getifaddrs: %s", w->ifname, strerror(err));
    break;
  }
}

void wan_watch(struct daemon_wan *w, const char *ifname)
{
  if (strcmp(w->ifname, ifname) == 0)
    return;
  memcpy(w->ifname, ifname, strlen(ifname) + 1);
  w->next_ms = 0;
  w->state = WAN_NONE; /* the new interface's state is noted afresh */
}

uint32_t wan_check(struct daemon_wan *w, struct daemon_log *log)
{
  uint32_t addr = 0;
  int err = 0;
  enum wan_state st = lookup(w->ifname, &addr, &err);
  note_state(w, st, addr, err, log);
  return st == WAN_UP ? addr : 0;
}

uint64_t wan_poll(struct daemon_wan *w, struct ike_engine *e, struct daemon_log *log,
                  uint64_t now_ms)
{
  if (!w->ifname[0])
    return UINT64_MAX;
  /* The loop's clock is the wall clock: after a step back, look now
   * rather than wait until the old time comes round again. */
  if (w->next_ms > now_ms + WAN_CHECK_MS)
    w->next_ms = now_ms;
  if (now_ms < w->next_ms)
    return w->next_ms - now_ms;
  w->next_ms = now_ms + WAN_CHECK_MS;
  uint32_t addr = wan_check(w, log);
  if (addr && addr != w->addr) {
    char was[16], is[16];
    dlog_note(log, "wan_interface %s: our address changed from %s to %s", w->ifname,
              ipv4_text(w->addr, was), ipv4_text(addr, is));
    w->addr = addr;
    ike_engine_address_changed(e, now_ms, addr);
  }
  return WAN_CHECK_MS;
}
