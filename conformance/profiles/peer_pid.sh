# Sourced by the profile scripts: the peer daemon they started, by the pid
# in $W/peer.pid. stop_peer: SIGTERM, up to 3 s to go, then SIGKILL.
stop_peer() {
  pid=$(cat "$W/peer.pid" 2>/dev/null) || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  return 0
}
