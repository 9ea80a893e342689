#!/usr/bin/env bash
# ikelab-triage --decode on seeds of each kind of target (label unit): the
# script read step by step, each packet through the dissector, and a pcap
# tshark reads with as many frames as packets decoded.
#   test_decode.sh TRIAGE SOURCE
set -euo pipefail
triage=$1 source=$2
work=$(mktemp -d /tmp/ikelab-decode.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_decode: FAIL: $*" >&2; exit 1; }

# check TARGET SEED PACKETS PATTERN...: decoded with PACKETS packets, each
# PATTERN (an extended regex) in the text.
check() {
  local target=$1 seed=$2 want=$3
  shift 3
  "$triage" -d -t "$target" -o "$work/$target" "$source/$seed" > "$work/$target.txt" ||
    fail "$target: ikelab-triage -d failed on $seed"
  grep -q "^==== $want packet(s) in $work/$target/decoded-1.pcap" "$work/$target.txt" ||
    fail "$target: $(tail -1 "$work/$target.txt"), expected $want packet(s)"
  for pattern in "$@"; do
    grep -Eq "$pattern" "$work/$target.txt" || fail "$target: no line matching '$pattern' in the decoding of $seed"
  done
  if command -v tshark > /dev/null; then
    frames=$(tshark -r "$work/$target/decoded-1.pcap" 2>/dev/null | grep -c ISAKMP || true)
    [ "$frames" -eq "$want" ] || fail "$target: tshark sees $frames ISAKMP frames, expected $want"
  fi
  echo "test_decode: $target: $seed: $want packet(s) decoded"
}

check fuzz_responder corpus/responder/seed_mm_dpd.bin 6 \
  '^fuzz_responder script: 7 step\(s\) run' '^step 1: PACKET, 136 bytes' \
  'exchange=2 \(IDENTITY_PROTECTION\)' 'RFC 3706 \(Dead Peer Detection\)' '^step 6: CLOCK \[15\]'
check fuzz_quick_mode corpus/quick_mode/info_delete.bin 4 \
  'variant byte 0' '^step 1: QM \[01 92 70 e1 09 01\], 144 bytes' 'flags 0x01 HASH, Quick Mode, M-ID 0x9270e109' \
  'PROPOSAL #1 protocol=3 \(PROTO_IPSEC_ESP\)'
check fuzz_initiator corpus/initiator/am_quick_3des.bin 0 '^step 1: TEMPLATE \[00\]'
check fuzz_isakmp_decode corpus/isakmp_decode/89bdcf014ce2f5aba83fdcddc3225055355874ff 2 \
  '^1\. As a datagram' '^2\. As a decrypted payload chain' 'type=36136 \(R-U-THERE\)' 'padding: 7 bytes'
echo "test_decode: PASS"
