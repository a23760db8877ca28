#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NFQA_EXP_FLUSH: a queue verdict removes the expectations of the classes
# it names whose master is the packet's conntrack, as nf_conntrack_sip
# removes a call's media expectations, and nothing else: not those of
# another class, not those of another conntrack. It runs before the
# verdict's NFQA_EXP, whatever their order in the message, so that one
# verdict replaces a set of expectations; bits beyond the helper's classes
# are refused (EINVAL) without removing anything; it works without NFQA_CT;
# a batch verdict refuses it (EOPNOTSUPP) rather than ignoring it. All of
# it twice: from a privileged helper, and from one that dropped every
# privilege after binding its queue (restricted verdicts).
#
# The test helper (nfq_test_helper -L) reads each payload line of the
# connections to port 7000 (7001) as the commands of its verdict; the test
# writes them one at a time and waits for the acknowledgment.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require conntrack socat iptables
kernel_src_has NFQA_EXP_FLUSH include/uapi/linux/netfilter/nfnetlink_queue.h ||
	skip_all "this kernel has no NFQA_EXP_FLUSH"
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# A sink: an echo would come back through the helper as commands again.
for port in 7000 7001; do
	spawn "$S" socat -u TCP-LISTEN:$port,reuseaddr,fork OPEN:/dev/null
done
wait_port "$S" 7000 && wait_port "$S" 7001 || skip_all "socat does not listen"

# open_conn FD PORT: a connection to the server's PORT fed by what the test
# writes to file descriptor FD.
open_conn() {
	mkfifo "$T/conn$1"
	ip netns exec "$C" socat -u - TCP:$SRV4:$2 <"$T/conn$1" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	eval "exec $1>\"\$T/conn$1\""
}

# say FD LINE: send LINE, wait for the helper's acknowledged verdict on it;
# RESULT is what the kernel answered.
say() {
	_fd=$1; shift
	_n=$(grep -c '^line ' "$NFQ_LOG")
	eval "echo \"\$*\" >&$_fd"
	if retry 50 sh -c "[ \$(grep -c '^line ' '$NFQ_LOG') -gt $_n ]"; then
		RESULT=$(grep '^line ' "$NFQ_LOG" | tail -n 1 | sed 's/.*\]: //')
	else
		RESULT="no verdict"
	fi
}

# ports LOW: the destination ports of the expectations in LOW..LOW+99,
# sorted, one line.
ports() {
	nsx "$F" conntrack -L expect 2>/dev/null | awk -v low="$1" '
		{ for (i = 1; i <= NF; i++) if ($i ~ /^dport=/) {
			p = substr($i, 7); if (p >= low && p < low + 100) print p
			break } }' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# expect_ports WHAT LOW OFFSETS...: exactly these ports LOW+OFFSET listed.
expect_ports() {
	_what=$1 _low=$2; shift 2
	_want=""
	for _o in "$@"; do _want="$_want $((_low + _o))"; done
	_want=${_want# }
	_got=$(ports "$_low")
	if [ "$_got" = "$_want" ]; then
		ok "$_what"
	else
		not_ok "$_what" "expectations for ports [$_got], want [$_want]"
	fi
}

# expect_result WHAT WANT: the last verdict's acknowledgment was WANT.
expect_result() {
	if [ "$RESULT" = "$2" ]; then
		ok "$1 ($RESULT)"
	else
		not_ok "$1" "acknowledged with '$RESULT', want '$2'"
	fi
}

# scenario MODE PORT QUEUE HELPER LOW [OPTIONS...]: two connections A and B
# to PORT helped by HELPER (two classes) on QUEUE; their expectations are
# for ports LOW+n.
scenario() {
	_mode=$1 _port=$2 _queue=$3 _helper=$4 _low=$5; shift 5
	if ! nfq_helper_start "$F" -q "$_queue" -n "$_helper" -c 2 -m 4 \
			-P "$_port" -L "$@"; then
		not_ok "$_mode: nfq_test_helper starts"
		return
	fi
	nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport "$_port" \
		-j CT --helper "$_helper"
	a=$((_queue * 2 + 3)) b=$((_queue * 2 + 4))
	open_conn $a "$_port"
	open_conn $b "$_port"

	say $a "expect 0 $((_low + 1)) expect 0 $((_low + 2)) expect 1 $((_low + 3))"
	expect_result "$_mode: A attaches two class 0, one class 1" ok
	say $b "expect 0 $((_low + 11)) expect 1 $((_low + 13))"
	expect_result "$_mode: B attaches one of each class" ok
	expect_ports "$_mode: five expectations" "$_low" 1 2 3 11 13

	say $a "flush 1"
	expect_result "$_mode: A flushes class 0" ok
	expect_ports "$_mode: A's class 0 gone; its class 1 and all of B's left" \
		"$_low" 3 11 13

	say $a "flush 4"
	expect_result "$_mode: mask bit 2 beyond the helper's two classes refused" \
		"Invalid argument"
	say $a "flush 0x80000000"
	expect_result "$_mode: mask bit 31 refused" "Invalid argument"
	say $a "flush 0"
	expect_result "$_mode: mask 0 accepted" ok
	expect_ports "$_mode: refused and empty masks removed nothing" \
		"$_low" 3 11 13

	say $a "expect 0 $((_low + 1))"
	# The flush after the NFQA_EXP in the message still comes first.
	say $a "expect 0 $((_low + 4)) flush 1"
	expect_result "$_mode: flush and attach in one verdict" ok
	expect_ports "$_mode: the old class 0 expectation replaced by the new one" \
		"$_low" 3 4 11 13

	say $a "noct flush 3"
	expect_result "$_mode: flush of both classes without NFQA_CT" ok
	expect_ports "$_mode: all of A's gone, B's left" "$_low" 11 13

	say $a "batchflush 1"
	_batch=$(grep '^batch ' "$NFQ_LOG" | tail -n 1 | sed 's/.*\]: //')
	check "$_mode: a batch verdict refuses NFQA_EXP_FLUSH ($_batch)" \
		[ "$_batch" = "Operation not supported" ]
	expect_result "$_mode: the packet still gets the verdict after it" ok
	expect_ports "$_mode: the refused batch removed nothing" "$_low" 11 13

	say $b "flush 2"
	expect_result "$_mode: B flushes class 1" ok
	expect_ports "$_mode: only B's class 0 left" "$_low" 11

	eval "exec $a>&- $b>&-"
	nfq_helper_stop
	nsx "$F" iptables -t raw -F
}

scenario privileged 7000 0 flush0 5000
# Binds with NFQA_CFG_F_UNPRIV_VERDICT, then uid 65534 without capability.
scenario unprivileged 7001 1 flush1 5100 -U
sed -n 's/^summary: /# helper: /p' "$NFQ_LOG"
tap_done
