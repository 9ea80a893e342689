#!/bin/sh
# Commands of the strongSwan profile (strongswan.ini): start | stop |
# reload | initiate. Run by ikelab-conform with IKELAB_WORK and
# IKELAB_CONFIG (the rendered swanctl.conf) set; needs IKELAB_PEER_NS and
# optionally XFRM_SHIM (an LD_PRELOAD .so that lets IPsec SA installs
# succeed on a kernel without ESP, PEERS.md).
set -u
W=$IKELAB_WORK
. "$(dirname "$0")/peer_pid.sh"
URI="unix://$W/charon.vici"
CHARON=${CHARON:-/usr/lib/ipsec/charon}
case "${1:-}" in
  start)
    mkdir -p "$W/run"
    cat >"$W/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 sha1 sha2 md5 hmac aes kernel-netlink socket-default vici
  port = 500
  port_nat_t = 4500
  i_dont_care_about_security_and_use_aggressive_mode_psk = yes
  block_threshold = 10000
  init_limit_half_open = 10000
  retransmit_tries = 1
  retransmit_timeout = 1
  plugins {
    vici { socket = $URI }
    kernel-netlink { xfrm_acq_expires = 86400 }
  }
  filelog {
    peer {
      path = $W/peer.log
      time_format = %T
      default = 1
      ike = 2
      enc = 1
      flush_line = yes
    }
  }
}
CONF
    pre=
    [ -n "${XFRM_SHIM:-}" ] && pre="LD_PRELOAD=$XFRM_SHIM"
    ip netns exec "$IKELAB_PEER_NS" unshare -m --propagation private \
      sh -c "mount --bind '$W/run' /run && exec env $pre STRONGSWAN_CONF='$W/strongswan.conf' $CHARON" \
      >"$W/charon.stdout" 2>&1 &
    echo $! >"$W/peer.pid"
    for i in $(seq 100); do
      if swanctl --stats --uri "$URI" >/dev/null 2>&1; then
        swanctl --load-all --noprompt --file "$IKELAB_CONFIG" --uri "$URI" >"$W/load.log" 2>&1 \
          && exit 0
        cat "$W/load.log" >&2
        exit 1
      fi
      kill -0 "$(cat "$W/peer.pid")" 2>/dev/null || { cat "$W/charon.stdout" >&2; exit 1; }
      sleep 0.1
    done
    echo "charon did not become ready" >&2
    exit 1 ;;
  stop)
    stop_peer ;;
  reload)   # the re-rendered swanctl.conf replaces the connection
    swanctl --load-all --noprompt --file "$IKELAB_CONFIG" --uri "$URI" >"$W/load.log" 2>&1 \
      || { cat "$W/load.log" >&2; exit 1; } ;;
  initiate)
    swanctl --initiate --child net --timeout 5 --uri "$URI" >"$W/initiate.log" 2>&1 & ;;
  *) echo "usage: $0 start|stop|reload|initiate" >&2; exit 2 ;;
esac
