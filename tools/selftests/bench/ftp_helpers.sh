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
# Then, since times under qemu tcg on a shared host swing with the host's
# load, counts per queued packet that do not: for each queue consumer, over
# $COUNT_NOOPS pipelined NOOPs, its context switches, and in a second run
# under strace -c its system calls; cthelperd's verdicts that carried the
# private data back (state_updates).
# Under vm/run.sh with VM_INSN_COUNT=1 (a qemu plugin counts the guest's
# instructions), also the whole guest's instructions per queued packet
# for each consumer: the difference between consumers is what one costs
# more than another, whatever the host's load.
# BENCH_ROUNDS, BENCH_SESSIONS, BENCH_NOOPS, BENCH_PIPELINED, BENCH_COUNT_NOOPS
# set those from the host
# (vm/run.sh passes BENCH_* on); BENCH_CTHD_BASELINE=PATH adds another
# cthelperd binary as the variant "cthelperd-baseline", for before/after.
# BENCH_ROUNDS=0: the counts only. The commands for the figures of issue 11
# (5 rounds in each of 3 boots) and how long a boot takes: README.md.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

SESSIONS=${BENCH_SESSIONS:-${SESSIONS:-200}}
ROUNDS=${BENCH_ROUNDS:-${ROUNDS:-5}}
COUNT_NOOPS=${BENCH_COUNT_NOOPS:-${COUNT_NOOPS:-1000}}
BASELINE=${BENCH_CTHD_BASELINE:-}
NOOPS=${BENCH_NOOPS:-${NOOPS:-1000}}
PIPELINED=${BENCH_PIPELINED:-${PIPELINED:-30000}}
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
start_baseline() {
	[ -x "$BASELINE" ] || return 1
	_cthd=$CTHD
	CTHD=$BASELINE
	start_cthelperd
	_rc=$?
	CTHD=$_cthd
	return $_rc
}
stop_baseline() { stop_cthelperd; }
VARIANTS="kernel conntrackd cthelperd${BASELINE:+ baseline} noop"
variant_name() {
	case $1 in
	kernel) echo "in-kernel nf_conntrack_ftp" ;;
	conntrackd) echo "conntrackd 1.4.7 helper mode" ;;
	cthelperd) echo "cthelperd" ;;
	baseline) echo "cthelperd-baseline ($BASELINE)" ;;
	noop) echo "no-op queue consumer" ;;
	esac
}

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
diag "load average at start: $(cat /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
	for v in $VARIANTS; do
		name=$(variant_name $v)
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
diag "load average after the rounds: $(cat /proc/loadavg)"

# consumer_pid VARIANT: the process that reads the queue
consumer_pid() {
	case $1 in
	conntrackd) echo "$CONNTRACKD_PID" ;;
	cthelperd | baseline) echo "$CTHD_PID" ;;
	noop) echo "$NOOP_PID" ;;
	esac
}
switches() {
	awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }' "/proc/$1/status"
}
per_packet() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
# Under run.sh with VM_INSN_COUNT=1 the qemu plugin logs the guest's
# instruction counts (user, kernel) each time insn_mark runs.
INSN_LOG=/run/results/insn_count.log
MARK=$SELFTESTS_BIN/insn_mark
insn_counting() { [ -f "$INSN_LOG" ] && [ -x "$MARK" ]; }
# insns: mark, then print the guest's user and kernel instructions so far
insns() {
	"$MARK"
	# as strings: awk would print large numbers as 2.4e+09
	awk '$1 == "mark" { u = $6; k = $8 } END { print (u == "" ? 0 : u), (k == "" ? 0 : k) }' "$INSN_LOG"
}
# insn_idle_rate: the guest's instructions per second while idle (timer
# ticks, mostly), less what reading the counts costs, which also land in
# each count window
insn_idle_rate() {
	_i0=$(insns)
	_i1=$(insns) _t1=$(date +%s.%N)
	sleep 4
	_i2=$(insns) _t2=$(date +%s.%N)
	printf '%.0f' "$(echo "(${_i2% *} + ${_i2#* } - 2 * (${_i1% *} + ${_i1#* }) + ${_i0% *} + ${_i0#* }) / ($_t2 - $_t1)" | bc -l)"
}
# counts VARIANT: the per-packet counts of one queue consumer
counts() {
	_pid=$(consumer_pid "$1")
	nsx "$C" "$LOAD" control $SRV4 200 "$WINDOW" >/dev/null || return 1
	_s0=$(switches "$_pid") _q0=$(queued_packets) _u0=$(cthelperd_counter state_updates 2>/dev/null)
	! insn_counting || _i0=$(insns) _t0=$(date +%s.%N)
	nsx "$C" "$LOAD" control $SRV4 "$COUNT_NOOPS" "$WINDOW" >/dev/null || return 1
	! insn_counting || _i1=$(insns) _t1=$(date +%s.%N)
	_s1=$(switches "$_pid") _q1=$(queued_packets) _u1=$(cthelperd_counter state_updates 2>/dev/null)
	_sw=$(per_packet "$((_s1 - _s0))" "$((_q1 - _q0))")
	if insn_counting; then
		# the whole guest's: client, server, three network stacks and the consumer
		_iu=$(( ${_i1% *} - ${_i0% *} )) _ik=$(( ${_i1#* } - ${_i0#* } ))
		ok "guest instructions per queued packet, $(variant_name "$1"): $(per_packet "$((_iu + _ik))" "$((_q1 - _q0))") (user $(per_packet "$_iu" "$((_q1 - _q0))"), kernel $(per_packet "$_ik" "$((_q1 - _q0))")) over $((_q1 - _q0)) packets; of which idle, about $(per_packet "$(echo "$IDLE_RATE * ($_t1 - $_t0)" | bc -l)" "$((_q1 - _q0))"), over $(printf '%.3f' "$(echo "$_t1 - $_t0" | bc -l)") s"
	fi
	_upd=
	[ -z "$_u1" ] || _upd=", $(per_packet "$((_u1 - _u0))" "$((_q1 - _q0))") state updates"
	strace -c -f -o "$T/strace.$1" -p "$_pid" 2>/dev/null &
	_strace=$!
	sleep 1
	_q0=$(queued_packets)
	nsx "$C" "$LOAD" control $SRV4 "$COUNT_NOOPS" "$WINDOW" >/dev/null || return 1
	_q1=$(queued_packets)
	kill -INT "$_strace"
	wait "$_strace"
	# strace -c: % time, seconds, usecs/call, calls, [errors,] syscall
	_calls=$(awk '$NF == "total" { print $4 }' "$T/strace.$1")
	_by=$(awk -v q="$((_q1 - _q0))" '$1 ~ /^[0-9.]+$/ && $NF != "total" {
		printf "%s%s %.3f", sep, $NF, $4 / q; sep = ", " }' "$T/strace.$1")
	ok "counts per queued packet, $(variant_name "$1"): $(per_packet "${_calls:-0}" "$((_q1 - _q0))") system calls ($_by), $_sw context switches$_upd"
}
if insn_counting; then
	IDLE_RATE=$(insn_idle_rate)
	diag "instruction counting on (VM_INSN_COUNT=1): the idle guest executes $IDLE_RATE instructions/s"
fi
for v in $VARIANTS; do
	[ "$v" != kernel ] || continue
	if start_$v; then
		counts $v || not_ok "counts, $(variant_name $v)"
		stop_$v
	else
		skip "counts, $(variant_name $v)" "does not start here"
	fi
done

for m in S R P Q; do
	for v in $VARIANTS; do
		eval "${m}_$v=\$(median $v $m)"
	done
done
diag "medians of $ROUNDS rounds:"
B=${BASELINE:+, cthelperd-baseline }
diag "sessions/s: kernel ${S_kernel:-n/a}, conntrackd ${S_conntrackd:-n/a}, cthelperd ${S_cthelperd:-n/a}$B${BASELINE:+${S_baseline:-n/a}}"
diag "round trips/s: kernel ${R_kernel:-n/a}, conntrackd ${R_conntrackd:-n/a}, cthelperd ${R_cthelperd:-n/a}$B${BASELINE:+${R_baseline:-n/a}}, no-op ${R_noop:-n/a}"
diag "pipelined commands/s ($WINDOW in flight): kernel ${P_kernel:-n/a}, conntrackd ${P_conntrackd:-n/a}, cthelperd ${P_cthelperd:-n/a}$B${BASELINE:+${P_baseline:-n/a}}, no-op ${P_noop:-n/a}"
diag "pipelined queued packets/s: conntrackd ${Q_conntrackd:-n/a}, cthelperd ${Q_cthelperd:-n/a}$B${BASELINE:+${Q_baseline:-n/a}}, no-op ${Q_noop:-n/a}"
diag "cthelperd / in-kernel sessions: $(ratio "${S_cthelperd:-}" "${S_kernel:-}") (target >= 0.9)"
diag "conntrackd / in-kernel sessions: $(ratio "${S_conntrackd:-}" "${S_kernel:-}")"
diag "cthelperd / conntrackd round trips: $(ratio "${R_cthelperd:-}" "${R_conntrackd:-}")"
diag "cthelperd / conntrackd pipelined commands: $(ratio "${P_cthelperd:-}" "${P_conntrackd:-}")"
diag "cthelperd / conntrackd queued packets: $(ratio "${Q_cthelperd:-}" "${Q_conntrackd:-}") (target >= 1)"
diag "no-op consumer / conntrackd queued packets: $(ratio "${Q_noop:-}" "${Q_conntrackd:-}") (the most any helper reaches here)"
diag "cthelperd / no-op consumer queued packets: $(ratio "${Q_cthelperd:-}" "${Q_noop:-}") (target >= 0.95)"
diag "cthelperd / conntrackd sessions: $(ratio "${S_cthelperd:-}" "${S_conntrackd:-}") (target >= 1)"
if [ -n "$BASELINE" ]; then
	diag "cthelperd-baseline / no-op consumer queued packets: $(ratio "${Q_baseline:-}" "${Q_noop:-}")"
	diag "cthelperd-baseline / conntrackd queued packets: $(ratio "${Q_baseline:-}" "${Q_conntrackd:-}")"
	diag "cthelperd / cthelperd-baseline queued packets: $(ratio "${Q_cthelperd:-}" "${Q_baseline:-}"), sessions: $(ratio "${S_cthelperd:-}" "${S_baseline:-}")"
fi
tap_done
