#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP helper benchmark, side by side in one VM boot: the in-kernel
# nf_conntrack_ftp, conntrackd 1.4.7 in helper mode and cthelperd. The load
# comes from one long-lived process (progs/ftp_load.c), so that process
# start-up does not drown the helper's cost.
#   sessions/s: active-mode (PORT) downloads through the firewall, each a new
#               control and data connection ($SESSIONS)
#   round trips/s: NOOP commands on one control connection, each answered
#               before the next ($NOOPS)
#   pipelined:  $PIPELINED NOOPs with up to $WINDOW in flight: commands
#               answered per second, and for the two daemons the packets
#               through the queue and back per second (the queue's
#               id_sequence in /proc/net/netfilter/nfnetlink_queue, login and
#               QUIT included, over the NOOP phase's time)
# A fourth variant, "no-op queue consumer" (progs/nfq_accept.c), accepts the
# queued packets in batches without looking at them: its control figures
# (no sessions: it opens no expectations) are the most any user-space helper
# can reach on this machine, so the ratios can be read against that bound.
# $ROUNDS rounds; prints the medians and their ratios, and a TAP "ok" line
# per measurement so the runner counts it.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

SESSIONS=${SESSIONS:-200}
ROUNDS=${ROUNDS:-5}
NOOPS=${NOOPS:-1000}
PIPELINED=${PIPELINED:-5000}
WINDOW=${WINDOW:-32}
FILE_SIZE=20000		# ftp_server_start's "file"

LOAD=$SELFTESTS_BIN/ftp_load
NOOP_CONSUMER=$SELFTESTS_BIN/nfq_accept
OUR_NFCT=$REPO/tools/nfct/nfct
require conntrackd nfct vsftpd bc
[ -x "$CTHD" ] || skip_all "cthelperd not built"
[ -x "$LOAD" ] && [ -x "$NOOP_CONSUMER" ] || skip_all "ftp_load or nfq_accept not built (make selftests)"
[ -x "$OUR_NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
ftp_setup
fw_filter "$F" iptables
# packets queue 0 has taken so far (0 while nobody is bound to it)
queued_packets() {
	nsx "$F" awk '$1 == 0 { n = $8 } END { print n + 0 }' /proc/net/netfilter/nfnetlink_queue
}

# sessions_per_s: $SESSIONS PORT downloads
sessions_per_s() {
	nsx "$C" "$LOAD" sessions $SRV4 "$SESSIONS" port file $FILE_SIZE
}

# round_trips_per_s: NOOPs answered one by one
round_trips_per_s() {
	nsx "$C" "$LOAD" control $SRV4 "$NOOPS" 1 | awk '{ print $2 }'
}

# pipelined: $WINDOW NOOPs in flight; prints commands/s and queued packets/s
pipelined() {
	_p0=$(queued_packets)
	_out=$(nsx "$C" "$LOAD" control $SRV4 "$PIPELINED" "$WINDOW") || return 1
	_p1=$(queued_packets)
	printf '%.1f %.1f' "${_out#* }" "$(echo "($_p1 - $_p0) / ${_out% *}" | bc -l)"
}

# The three helpers; start_X fails when X cannot run here.
start_kernel() {
	modprobe nf_conntrack_ftp 2>/dev/null ||
		insmod "$LINUX/net/netfilter/nf_conntrack_ftp.ko" 2>/dev/null || return 1
	nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
}
stop_kernel() {
	nsx "$F" iptables -t raw -F
	nsx "$F" conntrack -F 2>/dev/null
	# user-space helpers named ftp clash with it: it must go
	retry 100 rmmod nf_conntrack_ftp
}
# stop_user_helper STOP...: the assignment rule goes first (a helper a rule
# refers to cannot be deleted), then the daemon (STOP), its conntracks and
# the registered helpers.
stop_user_helper() {
	nsx "$F" iptables -t raw -F
	"$@"
	nsx "$F" conntrack -F 2>/dev/null
	retry 25 nsx "$F" nfct flush helper
}
start_conntrackd() {
	conntrackd_start "$F" && helper_assign "$F" iptables PREROUTING 4
}
stop_conntrackd() { stop_user_helper stop "$CONNTRACKD_PID"; }
start_noop() {
	# the project's nfct: Debian's cannot enable what it added
	nsx "$F" "$OUR_NFCT" helper add ftp inet tcp || return 1
	nsx "$F" "$OUR_NFCT" helper enable ftp inet tcp || return 1
	spawn "$F" "$NOOP_CONSUMER" -q 0 >"$T/noop.log" 2>&1
	NOOP_PID=$!
	retry 25 grep -qs "^ready" "$T/noop.log" || return 1
	helper_assign "$F" iptables PREROUTING 4
}
stop_noop() { stop_user_helper stop "$NOOP_PID"; }
start_cthelperd() {
	cthelperd_start "$F" --helper ftp --family inet --register &&
		helper_assign "$F" iptables PREROUTING 4
}
stop_cthelperd() { stop_user_helper cthelperd_stop; }

# measure NAME VARIANT: one round of each load; values appended to
# $T/VARIANT.{S,R,P,Q}, one line per round. The no-op consumer opens no
# expectations: no sessions for it.
measure() {
	_s=
	if [ "$2" != noop ]; then
		_s=$(sessions_per_s) || { not_ok "$1: sessions"; return 1; }
		echo "$_s" >>"$T/$2.S"
	fi
	_r=$(round_trips_per_s) || { not_ok "$1: round trips"; return 1; }
	_p=$(pipelined) || { not_ok "$1: pipelined NOOPs"; return 1; }
	ok "$1: ${_s:+$_s sessions/s, }$_r round trips/s, pipelined ${_p% *} commands/s and ${_p#* } queued packets/s"
	echo "$_r" >>"$T/$2.R"
	echo "${_p% *}" >>"$T/$2.P"
	echo "${_p#* }" >>"$T/$2.Q"
}

# Rounds interleave the helpers, so that a drift in the machine's speed
# (qemu tcg on a shared host) does not favour whichever comes first.
for round in $(seq "$ROUNDS"); do
	for v in kernel conntrackd cthelperd noop; do
		case $v in
		kernel) name="in-kernel nf_conntrack_ftp" ;;
		conntrackd) name="conntrackd 1.4.7 helper mode" ;;
		cthelperd) name="cthelperd" ;;
		noop) name="no-op queue consumer" ;;
		esac
		if start_$v; then
			measure "round $round: $name" $v
			stop_$v
		else
			skip "round $round: $name" "does not start here"
		fi
	done
done

# median VARIANT METRIC
median() {
	[ -s "$T/$1.$2" ] || return 0
	sort -n "$T/$1.$2" | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'
}
ratio() {
	case "${1:-}:${2:-}" in
	:* | *: | *:0 | *:0.0) echo "n/a" ;;
	*) printf '%.2f' "$(echo "$1 / $2" | bc -l)" ;;
	esac
}
for m in S R P Q; do
	for v in kernel conntrackd cthelperd noop; do
		eval "${m}_$v=\$(median $v $m)"
	done
done
diag "medians of $ROUNDS rounds:"
diag "sessions/s: kernel ${S_kernel:-n/a}, conntrackd ${S_conntrackd:-n/a}, cthelperd ${S_cthelperd:-n/a}"
diag "round trips/s: kernel ${R_kernel:-n/a}, conntrackd ${R_conntrackd:-n/a}, cthelperd ${R_cthelperd:-n/a}, no-op ${R_noop:-n/a}"
diag "pipelined commands/s ($WINDOW in flight): kernel ${P_kernel:-n/a}, conntrackd ${P_conntrackd:-n/a}, cthelperd ${P_cthelperd:-n/a}, no-op ${P_noop:-n/a}"
diag "pipelined queued packets/s: conntrackd ${Q_conntrackd:-n/a}, cthelperd ${Q_cthelperd:-n/a}, no-op ${Q_noop:-n/a}"
diag "cthelperd / in-kernel sessions: $(ratio "${S_cthelperd:-}" "${S_kernel:-}") (target >= 0.9)"
diag "conntrackd / in-kernel sessions: $(ratio "${S_conntrackd:-}" "${S_kernel:-}")"
diag "cthelperd / conntrackd round trips: $(ratio "${R_cthelperd:-}" "${R_conntrackd:-}")"
diag "cthelperd / conntrackd pipelined commands: $(ratio "${P_cthelperd:-}" "${P_conntrackd:-}")"
diag "cthelperd / conntrackd queued packets: $(ratio "${Q_cthelperd:-}" "${Q_conntrackd:-}") (target >= 2)"
diag "no-op consumer / conntrackd queued packets: $(ratio "${Q_noop:-}" "${Q_conntrackd:-}") (the most any helper reaches here)"
diag "cthelperd / no-op consumer queued packets: $(ratio "${Q_cthelperd:-}" "${Q_noop:-}")"
tap_done
