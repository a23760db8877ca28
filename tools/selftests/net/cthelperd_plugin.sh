#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helper plugin end to end: cthelperd is installed into a scratch root,
# the example plugin (tools/cthelperd/examples/openback, a made-up
# call-back protocol on TCP 7777) is built from a copy outside the source
# tree against that installed header, loaded with --plugin-dir before the
# privilege drop, registered, and helps a client behind a stateful firewall
# get the server's call-back (IPv4 and IPv6), and refuses a privileged
# port; the capture of the run replays to the expectations the kernel made.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack cc make pkg-config python3 tcpdump
PEER=$REPO/tools/cthelperd/tests/vm/openback_peer.py

R=$T/root
check "make install into a scratch root" make -s -C "$REPO/tools/cthelperd" install DESTDIR="$R" PREFIX=/usr
cp -r "$REPO/tools/cthelperd/examples/openback" "$T/openback"
check "the example plugin builds against the installed header (pkg-config)" sh -c "
	PKG_CONFIG_PATH='$R/usr/lib/pkgconfig' PKG_CONFIG_SYSROOT_DIR='$R' make -s -C '$T/openback'"
P=$T/plugins
mkdir -m 0755 "$P" && install -m 0644 "$T/openback/openback.so" "$P/" ||
	{ not_ok "the plugin is built"; tap_done; }

topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
cthelperd_start "$F" --plugin-dir "$P" --helper openback --register --user nobody ||
	{ not_ok "cthelperd starts with the plugin"; tap_done; }
ok "cthelperd starts with the plugin's helper, registers it, drops to nobody"
cthelperd_check_listed "$F" openback 6 24
check "it runs as nobody under seccomp, the plugin mapped" sh -c "
	grep -Eq '^Uid:[[:space:]]+65534' /proc/$CTHD_PID/status &&
	grep -Eq '^Seccomp:[[:space:]]+2' /proc/$CTHD_PID/status && grep -q openback.so /proc/$CTHD_PID/maps"

spawn "$S" python3 "$PEER" server $SRV4
spawn "$S" python3 "$PEER" server $SRV6
wait_port "$S" 7777 || { not_ok "the openback servers listen"; tap_done; }
fw_filter_service "$F" tcp 7777
check_fails "without the helper assigned, the call-back is dropped" \
	nsx "$C" python3 "$PEER" client $SRV4 $CLI4 40001

helper_assign_service "$F" openback tcp 7777
nsx "$F" stdbuf -oL conntrack -E expect >"$T/events" 2>&1 &
PIDS="$PIDS $!"
ip netns exec "$F" tcpdump -U -s 0 -w "$T/openback.pcap" -i any -Q in tcp >/dev/null 2>"$T/tcpdump" &
TCPDUMP=$!
PIDS="$PIDS $TCPDUMP"
retry 50 grep -q listening "$T/tcpdump"
check "IPv4: the plugin's expectation lets the call-back in" \
	nsx "$C" python3 "$PEER" client $SRV4 $CLI4 40002
check "IPv6: the same" nsx "$C" python3 "$PEER" client $SRV6 $CLI6 40003
check_fails "OPEN of a privileged port opens nothing" nsx "$C" python3 "$PEER" client $SRV4 $CLI4 1000
sleep 1
stop "$TCPDUMP"
# (a retransmitted OPEN makes the same expectation again)
check "conntrack -E expect: the kernel made the plugin's expectations, IPv4 and IPv6" sh -c "
	grep NEW '$T/events' | grep 'helper=openback' | grep -q 'dst=$CLI4 sport=[0-9]* dport=40002 ' &&
	grep NEW '$T/events' | grep 'helper=openback' | grep -q 'dst=$CLI6 sport=[0-9]* dport=40003 '"
cthelperd_check_stats 2 1

# the run's capture through --replay: the kernel's expectations, offline
sed -n 's/^.*\[NEW\] [0-9]* proto=[0-9]* src=[^ ]* dst=\([^ ]*\) sport=[0-9]* dport=\([0-9]*\) .*/\1 \2/p' \
	"$T/events" | sort >"$T/live"
"$CTHD" --plugin-dir "$P" --replay "$T/openback.pcap" --helper openback >"$T/replay" 2>&1
sed -n 's/^  expect [a-z]* [^ ]* > \[\{0,1\}\([^] ]*\)\]\{0,1\}:\([0-9]*\) class.*/\1 \2/p' "$T/replay" |
	sort >"$T/replayed"
check "--replay of the run with the plugin: the kernel's expectations" sh -c "
	[ -s '$T/live' ] && cmp '$T/live' '$T/replayed' || { cat '$T/live' '$T/replay'; exit 1; }"
if [ -d /run/results ]; then
	cp "$T/openback.pcap" /run/results/ && sed -n 's/^  expect //p' "$T/replay" >/run/results/openback.expect
fi
cthelperd_finish
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
