#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cthelperd --replay against the live run: FTP transfers through cthelperd
# (active, passive, IPv6, SNAT with PORT/EPRT rewritten, DNAT with PASV
# rewritten) are captured as the firewall receives them (tcpdump -i any
# -Q in), together with the expectations the kernel created (conntrack -E
# expect) and what the firewall sent on (tcpdump -Q out). Each capture is
# then replayed without the kernel: the replay must create the same
# expectations (address and port) and make the rewrites the peers saw.
# The captures and the replay's expectation lists are copied to the
# results directory (/run/results/captures); a few of them are kept in
# tools/cthelperd/tests/captures for the host test.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd curl nft tcpdump
"$CTHD" --help | grep -q -- --replay || skip_all "cthelperd built without --replay"
ftp_setup

cthelperd_start "$F" --helper ftp --register || { not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts"
fw_filter "$F" iptables
helper_assign "$F" iptables PREROUTING 46
KEEP=/run/results/captures
[ -d /run/results ] && mkdir -p "$KEEP" 2>/dev/null || KEEP=""

epsv() { ftp_get "$1" "ftp://$2"; }

# tcpdump_start NAME ARGS...: a capture in $F into $T/NAME.pcap, once it
# listens; its pid in $TCPDUMP_PID
tcpdump_start() {
	_name=$1; shift
	ip netns exec "$F" tcpdump -U -s 0 -w "$T/$_name.pcap" "$@" >/dev/null 2>"$T/$_name.tcpdump" &
	TCPDUMP_PID=$!
	PIDS="$PIDS $TCPDUMP_PID"
	retry 50 grep -q listening "$T/$_name.tcpdump"
}

# record NAME CMD...: CMD (a transfer) with captures in and out and the
# kernel's expectation events running; one TAP line for the transfer.
record() {
	_case=$1; shift
	nsx "$F" stdbuf -oL conntrack -E expect >"$T/$_case.events" 2>&1 &
	_ev=$!
	PIDS="$PIDS $_ev"
	tcpdump_start "$_case" -i any -Q in tcp && _in=$TCPDUMP_PID &&
	tcpdump_start "$_case.out" -i any -Q out 'tcp port 21' && _out=$TCPDUMP_PID ||
		{ not_ok "$_case: tcpdump starts"; return 1; }
	sleep 0.3
	check "$_case: live transfer" "$@"
	sleep 1
	stop "$_in"; stop "$_out"; stop "$_ev"
}

# expectations of the live run: "ADDR PORT" a line, sorted
live_expectations() {
	sed -n 's/^.*\[NEW\] [0-9]* proto=[0-9]* src=[^ ]* dst=\([^ ]*\) sport=[0-9]* dport=\([0-9]*\) .*/\1 \2/p' \
		"$T/$1.events" | sort
}

# replay NAME ARGS...: the capture through the replay, text in $T/NAME.replay
replay() {
	_case=$1; shift
	"$CTHD" --replay "$T/$_case.pcap" --helper ftp "$@" >"$T/$_case.replay" 2>"$T/$_case.replay.err"
}

replay_expectations() {
	sed -n 's/^  expect [a-z]* [^ ]* > \[\{0,1\}\([^] ]*\)\]\{0,1\}:\([0-9]*\) class.*/\1 \2/p' \
		"$T/$1.replay" | sort
}

# compare NAME ARGS...: replay, then the TAP lines comparing with the live run
compare() {
	_case=$1; shift
	check "$_case: replay exits 0" replay "$_case" "$@"
	live_expectations "$_case" >"$T/$_case.live.exp"
	replay_expectations "$_case" >"$T/$_case.replay.exp"
	check "$_case: the replay's expectations are the live run's ($(wc -l <"$T/$_case.live.exp") expectations)" \
		sh -c "[ -s '$T/$_case.live.exp' ] && cmp '$T/$_case.live.exp' '$T/$_case.replay.exp' ||
			{ echo live:; cat '$T/$_case.live.exp'; echo replay:; cat '$T/$_case.replay.exp';
			  cat '$T/$_case.replay' '$T/$_case.replay.err'; exit 1; }"
	sed -n 's/^  expect //p' "$T/$_case.replay" >"$T/$_case.expect"
	if [ -n "$KEEP" ]; then
		cp "$T/$_case.pcap" "$T/$_case.expect" "$KEEP/"
		echo "$*" >"$KEEP/$_case.args"
	fi
}

# rewrites NAME: each rewrite of the replay is in what the firewall sent,
# and the text it replaced is not
rewrites() {
	_case=$1
	tcpdump -nn -A -r "$T/$_case.out.pcap" 2>/dev/null >"$T/$_case.out.txt"
	# old and new text on two lines
	sed -n 's/^  rewrite at [0-9]*: "\(.*\)" -> "\(.*\)"$/\1\n\2/p' "$T/$_case.replay" >"$T/$_case.rw"
	check "$_case: the replay's rewrites ($(($(wc -l <"$T/$_case.rw") / 2))) are what the peer received" sh -c "
		[ -s '$T/$_case.rw' ] || exit 1
		while read -r old && read -r new; do
			echo \"rewrite: \$old -> \$new\"
			grep -qF \"\$new\" '$T/$_case.out.txt' || exit 1
			! grep -qF \"\$old\" '$T/$_case.out.txt' || exit 1
		done <'$T/$_case.rw'"
}

record active4 ftp_port "$C" $SRV4 $CLI4
compare active4
record passive4 ftp_pasv "$C" $SRV4
compare passive4
record epsv4 epsv "$C" $SRV4
compare epsv4
record ipv6 sh -c "ip netns exec $C curl -sS --max-time 15 -o $T/a ftp://[$SRV6]/file &&
	ip netns exec $C curl -sS --max-time 15 --ftp-port $CLI6 -o $T/b ftp://[$SRV6]/file &&
	cmp -s $T/a $T/ftproot/file && cmp -s $T/b $T/ftproot/file"
compare ipv6

fw_nat "$F" snat
record snat_port4 ftp_port "$C" $SRV4 $CLI4
compare snat_port4 --snat $FWS4
rewrites snat_port4
record snat_eprt4 ftp_eprt "$C" $SRV4 $CLI4
compare snat_eprt4 --snat $FWS4
rewrites snat_eprt4
if kernel_src_has 'skb_network_header(skb) + ip_hdrlen(skb)' net/netfilter/nf_conntrack_seqadj.c; then
	skip "snat_eprt6: IPv6 EPRT rewritten" "this kernel's seqadj breaks IPv6 rewrites (series patch 2)"
else
	record snat_eprt6 ftp_eprt "$C" "[$SRV6]" $CLI6
	compare snat_eprt6 --snat $FWS6
	rewrites snat_eprt6
fi

fw_nat "$F" dnat
record dnat_pasv4 ftp_pasv "$C" $FWC4
compare dnat_pasv4 --dnat $SRV4
rewrites dnat_pasv4

check "replay of a capture without the NAT it had: a different expectation" sh -c "
	! '$CTHD' --replay '$T/snat_port4.pcap' --helper ftp --expected '$T/snat_port4.expect' >/dev/null 2>&1"

cthelperd_finish
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
