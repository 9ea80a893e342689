#!/bin/sh
# Commands of the Libreswan profile (libreswan.ini): start | stop | reload |
# initiate | reset. Run by ikelab-conform with IKELAB_WORK, IKELAB_CONFIG (the
# rendered ipsec.conf), IKELAB_PEER_ADDR, IKELAB_OUR_ADDR and IKELAB_PSK
# set; needs IKELAB_PEER_NS, LIBRESWAN_ROOT and XFRM_SHIM.
set -u
W=$IKELAB_WORK
. "$(dirname "$0")/peer_pid.sh"
LS=$LIBRESWAN_ROOT
WHACK="$LS/usr/libexec/ipsec/whack"
added() { grep -c '"ikelab".*added' "$W/peer.log" 2>/dev/null || true; }
start() { # waits for one more "added" line than there were before
  before=$(added)
  mkdir -p "$W/run/nss"
  printf '%s %s : PSK "%s"\n' "$IKELAB_PEER_ADDR" "$IKELAB_OUR_ADDR" "$IKELAB_PSK" >"$W/ipsec.secrets"
  chmod 600 "$W/ipsec.secrets"
  [ -f "$W/run/nss/cert9.db" ] || certutil -N -d "sql:$W/run/nss" --empty-password >/dev/null 2>&1
  : >>"$W/peer.log"
  # Own mount namespace: pluto insists on /usr/libexec/ipsec/addconn.
  ip netns exec "$IKELAB_PEER_NS" unshare -m --propagation private \
    sh -c "mount --bind '$LS/usr/libexec' /usr/libexec && exec env LD_PRELOAD='$XFRM_SHIM' \
      '$LS/usr/libexec/ipsec/pluto' --nofork --stderrlog --config '$IKELAB_CONFIG' \
      --rundir '$W/run' --secretsfile '$W/ipsec.secrets' --ipsecdir '$W' --nssdir '$W/run/nss'" \
    >>"$W/peer.log" 2>&1 &
  echo $! >"$W/peer.pid"
  for i in $(seq 100); do
    [ "$(added)" -gt "${before:-0}" ] && return 0
    kill -0 "$(cat "$W/peer.pid")" 2>/dev/null || { tail -n 20 "$W/peer.log" >&2; return 1; }
    sleep 0.1
  done
  echo "pluto did not load connection ikelab" >&2
  return 1
}
case "${1:-}" in
  start) start ;;
  stop) stop_peer ;;
  reload)   # a new mode: pluto restarted on the re-rendered ipsec.conf
    stop_peer && start ;;
  reset)    # pluto keeps re-keying an SA we deleted: drop its states
    ip netns exec "$IKELAB_PEER_NS" "$WHACK" --rundir "$W/run" --terminate --name ikelab \
      >/dev/null 2>&1
    exit 0 ;;
  initiate)
    ip netns exec "$IKELAB_PEER_NS" "$WHACK" --rundir "$W/run" --initiate --name ikelab \
      --asynchronous >/dev/null 2>&1 ;;
  *) echo "usage: $0 start|stop|reload|initiate|reset" >&2; exit 2 ;;
esac
