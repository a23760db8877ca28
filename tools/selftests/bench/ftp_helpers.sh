#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP helper benchmark, side by side in one VM boot: the in-kernel
# nf_conntrack_ftp, conntrackd 1.4.7 in helper mode and cthelperd. The load
# comes from one long-lived process (progs/ftp_load.c), so that process
# start-up does not drown the helper's cost.
#   sessions/s: active-mode (PORT) downloads through the firewall, each a new
#               control and data connection ($SESSIONS, best of $ROUNDS)
#   round trips/s: NOOP commands on one control connection, each answered
#               before the next ($NOOPS)
#   pipelined:  $PIPELINED NOOPs with up to $WINDOW in flight: commands
#               answered per second, and for the two daemons the packets
#               through the queue and back per second (the queue's
#               id_sequence in /proc/net/netfilter/nfnetlink_queue, login and
#               QUIT included, over the NOOP phase's time)
# Prints a table and the ratios; TAP "ok" lines so the runner counts it.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

# small by default: the VM is qemu tcg on a shared machine
SESSIONS=${SESSIONS:-60}
ROUNDS=${ROUNDS:-2}
NOOPS=${NOOPS:-400}
PIPELINED=${PIPELINED:-3000}
WINDOW=${WINDOW:-32}
FILE_SIZE=20000		# ftp_server_start's "file"

LOAD=$SELFTESTS_BIN/ftp_load
require conntrackd nfct vsftpd bc
[ -x "$CTHD" ] || skip_all "cthelperd not built"
[ -x "$LOAD" ] || skip_all "ftp_load not built (make selftests)"
ftp_setup
fw_filter "$F" iptables
# packets queue 0 has taken so far (0 while nobody is bound to it)
queued_packets() {
	nsx "$F" awk '$1 == 0 { n = $8 } END { print n + 0 }' /proc/net/netfilter/nfnetlink_queue
}

# sessions_per_s: best of $ROUNDS runs of $SESSIONS PORT downloads
sessions_per_s() {
	_best=0
	for _r in $(seq "$ROUNDS"); do
		_rate=$(nsx "$C" "$LOAD" sessions $SRV4 "$SESSIONS" port file $FILE_SIZE) || return 1
		_best=$(echo "if ($_rate > $_best) $_rate else $_best" | bc -l)
	done
	printf '%.1f' "$_best"
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

measure() {
	_s=$(sessions_per_s) || { not_ok "$1: sessions"; return 1; }
	_r=$(round_trips_per_s) || { not_ok "$1: round trips"; return 1; }
	_p=$(pipelined) || { not_ok "$1: pipelined NOOPs"; return 1; }
	ok "$1: $_s sessions/s, $_r round trips/s, pipelined ${_p% *} commands/s and ${_p#* } queued packets/s"
	eval "S_$2=$_s R_$2=$_r P_$2=${_p% *} Q_$2=${_p#* }"
}

# 1. in-kernel helper
if modprobe nf_conntrack_ftp 2>/dev/null || insmod "$LINUX/net/netfilter/nf_conntrack_ftp.ko" 2>/dev/null; then
	nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
	measure "in-kernel nf_conntrack_ftp" kernel
	nsx "$F" iptables -t raw -F
	nsx "$F" conntrack -F 2>/dev/null
	retry 25 rmmod nf_conntrack_ftp
else
	skip "in-kernel nf_conntrack_ftp" "module not available"
fi

# 2. conntrackd
if conntrackd_start "$F"; then
	helper_assign "$F" iptables PREROUTING 4
	measure "conntrackd 1.4.7 helper mode" conntrackd
	stop "$CONNTRACKD_PID"
	nsx "$F" iptables -t raw -F
	nsx "$F" conntrack -F 2>/dev/null
	retry 25 nsx "$F" nfct flush helper
else
	skip "conntrackd helper mode" "conntrackd does not start"
fi

# 3. cthelperd
if cthelperd_start "$F" --helper ftp --family inet --register; then
	helper_assign "$F" iptables PREROUTING 4
	measure "cthelperd" cthelperd
	cthelperd_stop
	nsx "$F" iptables -t raw -F
else
	not_ok "cthelperd starts"
fi

ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && printf '%.2f' "$(echo "$1 / $2" | bc -l)" || echo "n/a"; }
diag "sessions/s: kernel ${S_kernel:-n/a}, conntrackd ${S_conntrackd:-n/a}, cthelperd ${S_cthelperd:-n/a}"
diag "round trips/s: kernel ${R_kernel:-n/a}, conntrackd ${R_conntrackd:-n/a}, cthelperd ${R_cthelperd:-n/a}"
diag "pipelined commands/s ($WINDOW in flight): kernel ${P_kernel:-n/a}, conntrackd ${P_conntrackd:-n/a}, cthelperd ${P_cthelperd:-n/a}"
diag "pipelined queued packets/s: conntrackd ${Q_conntrackd:-n/a}, cthelperd ${Q_cthelperd:-n/a}"
diag "cthelperd / in-kernel sessions: $(ratio "${S_cthelperd:-}" "${S_kernel:-}") (target >= 0.9)"
diag "cthelperd / conntrackd round trips: $(ratio "${R_cthelperd:-}" "${R_conntrackd:-}")"
diag "cthelperd / conntrackd pipelined commands: $(ratio "${P_cthelperd:-}" "${P_conntrackd:-}")"
diag "cthelperd / conntrackd queued packets: $(ratio "${Q_cthelperd:-}" "${Q_conntrackd:-}") (target >= 2)"
tap_done
