/* `ikelabctl status`: the WAN address when one is followed, then the
 * engine's SA tables as key=value lines, one SA a line, keys always in the
 * same order so scripts can grep them. The format is documented in
 * ikelabctl --help; change both together. */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "ikelab/isakmp_types.h"

static void hex8(const uint8_t c[8], char out[17])
{
  for (int i = 0; i < 8; i++)
    snprintf(out + 2 * i, 3, "%02x", c[i]);
}

static void ike_line(const struct ike_sa_info *s, FILE *out)
{
  char a[16], ic[17], rc[17];
  hex8(s->icookie, ic);
  hex8(s->rcookie, rc);
  fprintf(out,
          "ike rule=%d role=%s state=%s peer=%s:%u icookie=%s rcookie=%s phase2=%u errors=%u "
          "nat=%s\n",
          s->rule, s->initiator ? "initiator" : "responder",
          s->state == IKE_P1_ESTABLISHED ? "established" : "negotiating",
          ipv4_text(s->peer.addr, a), s->peer.port, ic, rc, s->phase2_up, s->errors,
          s->nat_detected ? "yes" : "no");
}

/* "3DES", "AES-CBC-128": the transform name without its "ESP_" prefix. */
static void encr_text(const struct ike_ipsec_sa *sa, char *out, size_t len)
{
  if (sa->protocol != ISAKMP_PROTO_ESP) {
    snprintf(out, len, "none");
    return;
  }
  const char *n = isakmp_name_or_unknown(&isakmp_esp_transform_names, sa->encr);
  if (strncmp(n, "ESP_", 4) == 0)
    n += 4;
  if (sa->key_bits)
    snprintf(out, len, "%s-%u", n, (unsigned)sa->key_bits);
  else
    snprintf(out, len, "%s", n);
}

static bool tunnel_mode(uint16_t encap)
{
  return encap == IPSEC_ENCAP_TUNNEL || encap == IPSEC_ENCAP_UDP_TUNNEL ||
         encap == IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
}

static void ipsec_line(const struct ctl_io *io, uint64_t now_ms, const struct ike_ipsec_sa *sa,
                       FILE *out)
{
  char a[16], encr[48];
  encr_text(sa, encr, sizeof encr);
  fprintf(out,
          "ipsec rule=%d proto=%s encr=%s auth=%s mode=%s spi_in=0x%08x spi_out=0x%08x "
          "life_s=%u life_kb=%u udp_encap=%s peer=%s:%u",
          sa->rule, sa->protocol == ISAKMP_PROTO_AH ? "AH" : "ESP", encr,
          isakmp_name_or_unknown(&ipsec_auth_names, sa->auth),
          tunnel_mode(sa->encap) ? "tunnel" : "transport", (unsigned)sa->spi_in,
          (unsigned)sa->spi_out, (unsigned)sa->life_seconds, (unsigned)sa->life_kbytes,
          sa->udp_encap ? "yes" : "no", ipv4_text(sa->peer.addr, a), sa->peer.port);
  /* Counters exist only where the datapath installed the SA (--tun). */
  const struct esp_sa *e = io->t->fd >= 0 ? esp_table_find(&io->t->dp.table, sa->spi_in) : NULL;
  if (e) {
    fprintf(out, " age_s=%llu pkts_in=%llu bytes_in=%llu pkts_out=%llu bytes_out=%llu",
            (unsigned long long)((now_ms - e->added_ms) / 1000u),
            (unsigned long long)e->count.packets_in, (unsigned long long)e->count.bytes_in,
            (unsigned long long)e->count.packets_out, (unsigned long long)e->count.bytes_out);
  } else {
    fputs(" datapath=none", out);
  }
  fputc('\n', out);
}

/* The address the engine uses, which is the interface's unless it has
 * none right now (then the last one it had, or 0.0.0.0 before the first). */
static void wan_line(const struct daemon_wan *w, FILE *out)
{
  char a[16];
  fprintf(out, "wan interface=%s addr=%s\n", w->ifname, ipv4_text(w->addr, a));
}

void status_write(const struct ctl_io *io, uint64_t now_ms, FILE *out)
{
  if (io->wan && io->wan->ifname[0])
    wan_line(io->wan, out);
  size_t n = ike_engine_sa_count(io->engine);
  for (size_t i = 0; i < n; i++) {
    struct ike_sa_info s;
    if (ike_engine_sa_info(io->engine, i, &s))
      ike_line(&s, out);
  }
  n = ike_engine_ipsec_count(io->engine);
  for (size_t i = 0; i < n; i++) {
    struct ike_ipsec_sa sa;
    if (ike_engine_ipsec_info(io->engine, i, &sa))
      ipsec_line(io, now_ms, &sa, out);
  }
  struct ike_engine_counters c;
  ike_engine_counters(io->engine, &c);
  fprintf(out,
          "counters half_open_dropped=%llu duplicate_requests=%llu malformed=%llu "
          "log_suppressed=%llu unauthenticated=%llu\n",
          (unsigned long long)c.half_open_dropped, (unsigned long long)c.duplicate_requests,
          (unsigned long long)c.malformed, (unsigned long long)c.log_suppressed,
          (unsigned long long)c.unauthenticated);
}
