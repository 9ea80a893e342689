#!/bin/sh
# Commands of the ikelabd profile (ikelabd.ini): start | stop | reload |
# initiate. Run by ikelab-conform with IKELAB_WORK, IKELAB_CONFIG set; needs
# IKELABD and IKELABCTL, and IKELAB_PEER_NS for a peer in a namespace.
set -u
W=$IKELAB_WORK
. "$(dirname "$0")/peer_pid.sh"
# Without a namespace (IKELAB_PEER_NS empty) ikelabd runs here, e.g. on
# loopback with a high port (ci/interop-conform --loopback).
NETNS=
[ -n "${IKELAB_PEER_NS:-}" ] && NETNS="ip netns exec $IKELAB_PEER_NS"
case "${1:-}" in
  start)
    $NETNS "$IKELABD" -c "$IKELAB_CONFIG" -f \
      --pid-file "$W/peer.pid" --control "$W/peer.ctl" --log "file:$W/peer.log" \
      >"$W/peer.stdout" 2>"$W/peer.stderr" &
    for i in $(seq 50); do
      grep -q 'listening on' "$W/peer.stderr" 2>/dev/null && exit 0
      sleep 0.1
    done
    cat "$W/peer.stderr" >&2
    exit 1 ;;
  stop)
    stop_peer ;;
  reload)   # SIGHUP: the rendered config again (its other-mode SAs go)
    kill -HUP "$(cat "$W/peer.pid")" && sleep 0.3 ;;
  initiate)
    $NETNS "$IKELABCTL" -s "$W/peer.ctl" up 1 >/dev/null ;;
  *) echo "usage: $0 start|stop|reload|initiate" >&2; exit 2 ;;
esac
