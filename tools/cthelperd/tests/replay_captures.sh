#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# cthelperd --replay on the captures the VM test cthelperd_replay.sh
# recorded (tests/captures: NAME.pcap, the replay's options in NAME.args,
# the expectations the live run created in NAME.expect, checked against the
# kernel's there), then on broken input: each must fail with a clear error.
# TAP; run from tools/cthelperd (make run-tests).
set -u
CTHD=${CTHD:-./cthelperd}
DIR=${CAPTURES:-tests/captures}
T=$(mktemp -d /tmp/replay_captures.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

echo "TAP version 13"
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/out" | tail -n 15; }
# expect_rc NAME RC CMD...: CMD exits RC
expect_rc() {
	_name=$1 _want=$2; shift 2
	"$@" >"$T/out" 2>&1
	_rc=$?
	if [ "$_rc" -eq "$_want" ]; then ok "$_name"; else echo "exit $_rc, want $_want" >>"$T/out"; not_ok "$_name"; fi
}
# expect_msg NAME RC PATTERN CMD...: CMD exits RC and says PATTERN on stderr
expect_msg() {
	_name=$1 _want=$2 _pat=$3; shift 3
	"$@" >/dev/null 2>"$T/out"
	_rc=$?
	if [ "$_rc" -eq "$_want" ] && grep -q -- "$_pat" "$T/out"; then
		ok "$_name"
	else
		echo "exit $_rc (want $_want), stderr should match: $_pat" >>"$T/out"
		not_ok "$_name"
	fi
}

[ -x "$CTHD" ] || { echo "1..0 # SKIP $CTHD not built"; exit 4; }

for pcap in "$DIR"/*.pcap; do
	name=$(basename "$pcap" .pcap)
	# shellcheck disable=SC2046
	set -- $(cat "$DIR/$name.args")
	expect_rc "$name: the live run's $(grep -c . "$DIR/$name.expect") expectation(s), replayed" 0 \
		"$CTHD" --replay "$pcap" --helper ftp "$@" --expected "$DIR/$name.expect"
	# the same run twice gives the same output (no clock, no address of ours)
	"$CTHD" --replay "$pcap" --helper ftp "$@" >"$T/a" 2>&1
	"$CTHD" --replay "$pcap" --helper ftp "$@" >"$T/b" 2>&1
	if cmp -s "$T/a" "$T/b"; then ok "$name: replay is deterministic"; else diff "$T/a" "$T/b" >"$T/out"; not_ok "$name: replay is deterministic"; fi
	"$CTHD" --replay "$pcap" --helper ftp "$@" --json >"$T/json" 2>"$T/out"
	if /usr/bin/python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
s = lines[-1]["summary"]
exps = [e for l in lines[:-1] for e in l.get("expectations", [])]
want = [l.strip() for l in open(sys.argv[2]) if l.strip() and not l.startswith("#")]
assert sorted(exps) == sorted(want), (exps, want)
assert s["expectations"] == len(want) and s["helper_errors"] == 0
assert s["related"] >= 1, "no data connection matched an expectation"
' "$T/json" "$DIR/$name.expect" >>"$T/out" 2>&1; then
		ok "$name: --json is one JSON object a line with the same expectations"
	else
		not_ok "$name: --json is one JSON object a line with the same expectations"
	fi
done

first=$(ls "$DIR"/*.pcap | head -n 1)
name=$(basename "$first" .pcap)

# pcapng: the first capture converted (section, interface, enhanced packet
# blocks), replayed to the same output
/usr/bin/python3 - "$first" "$T/first.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, = struct.unpack("<I", data[:4])
e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
snap, link = struct.unpack(e + "II", data[16:24])
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
opts = struct.pack("<HHB3x", 9, 1, 9 if nano else 6) + struct.pack("<HH", 0, 0)
out += block(1, struct.pack("<HHI", link, 0, snap) + opts)
off = 24
while off < len(data):
    sec, frac, cap, orig = struct.unpack(e + "IIII", data[off:off + 16])
    ts = sec * (10**9 if nano else 10**6) + frac
    out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff, cap, orig) + data[off + 16:off + 16 + cap])
    off += 16 + cap
open(sys.argv[2], "wb").write(out)
PY
"$CTHD" --replay "$first" --helper ftp $(cat "$DIR/$name.args") >"$T/pcap.txt" 2>&1
"$CTHD" --replay "$T/first.pcapng" --helper ftp $(cat "$DIR/$name.args") >"$T/pcapng.txt" 2>&1
if [ -s "$T/pcap.txt" ] && cmp -s "$T/pcap.txt" "$T/pcapng.txt"; then
	ok "$name as pcapng: the same replay"
else
	diff "$T/pcap.txt" "$T/pcapng.txt" >"$T/out" 2>&1
	not_ok "$name as pcapng: the same replay"
fi

# expectations that differ from the list: exit 1, each difference named
sed 's/:\([0-9]*\) class/:1\1 class/' "$DIR/$name.expect" >"$T/wrong.expect"
expect_msg "a different expected list: exit 1, the missing expectation named" 1 \
	"missing expectation: " "$CTHD" --replay "$first" --helper ftp $(cat "$DIR/$name.args") \
	--expected "$T/wrong.expect"
expect_msg "a different expected list: the unexpected one named with its packet" 1 \
	"unexpected expectation (packet [0-9]*): " "$CTHD" --replay "$first" --helper ftp \
	$(cat "$DIR/$name.args") --expected "$T/wrong.expect"
: >"$T/empty.expect"
expect_rc "an empty expected list for a capture with expectations: exit 1" 1 \
	"$CTHD" --replay "$first" --helper ftp $(cat "$DIR/$name.args") --expected "$T/empty.expect"

# broken captures and arguments
expect_msg "a missing capture: exit 2, named" 2 "$T/none.pcap: " \
	"$CTHD" --replay "$T/none.pcap" --helper ftp
echo "not a capture at all, just text" >"$T/text.pcap"
expect_msg "a file that is no capture: exit 2, libpcap's reason" 2 "text.pcap: .*format" \
	"$CTHD" --replay "$T/text.pcap" --helper ftp
: >"$T/empty.pcap"
expect_msg "an empty file: exit 2" 2 "empty.pcap: " "$CTHD" --replay "$T/empty.pcap" --helper ftp
size=$(wc -c <"$first")
head -c $((size - 7)) "$first" >"$T/cut.pcap"
expect_msg "a capture cut in its last record: exit 2, after which packet" 2 \
	"cut.pcap: after packet [0-9]*: .*truncated" "$CTHD" --replay "$T/cut.pcap" --helper ftp
# a record header claiming 16 MiB: pcap file header (24 bytes) + a bad record
head -c 24 "$first" >"$T/huge.pcap"
printf '\0\0\0\0\0\0\0\0\377\377\377\0\377\377\377\0' >>"$T/huge.pcap"
expect_msg "a record larger than the snap length: exit 2" 2 "huge.pcap: " \
	"$CTHD" --replay "$T/huge.pcap" --helper ftp
expect_msg "an unknown helper: exit 2" 2 "no such helper" \
	"$CTHD" --replay "$first" --helper nosuch
expect_msg "an option the helper does not have: exit 2" 2 "has no option 'nosuch'" \
	"$CTHD" --replay "$first" --helper ftp --option nosuch=1
expect_msg "two helpers: exit 2" 2 "exactly one --helper" \
	"$CTHD" --replay "$first" --helper ftp --helper irc
expect_msg "--snat that is no address: exit 2" 2 "expected ADDR" \
	"$CTHD" --replay "$first" --helper ftp --snat 10.0.0
expect_msg "--snat twice for one family: exit 2" 2 "one per address family" \
	"$CTHD" --replay "$first" --helper ftp --snat 10.0.0.1 --snat 10.0.0.2
expect_msg "--expected without --replay: exit 2" 2 "go with --replay" \
	"$CTHD" --helper ftp --expected "$T/empty.expect"
expect_msg "an unreadable expected list: exit 2" 2 "nosuch.expect: " \
	"$CTHD" --replay "$first" --helper ftp --expected "$T/nosuch.expect"

echo "1..$n"
[ "$failed" -eq 0 ]
