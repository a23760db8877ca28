# SPDX-License-Identifier: GPL-2.0
# cthelperd helpers for the VM selftests (sourced after tools/selftests/lib.sh).
#
# cthelperd_start NS ARGS...   start the daemon in NS (foreground, its own
#                              control socket and log); pid in $CTHD_PID
# cthelperd_stats [--json]     the running daemon's counters
# cthelperd_counter NAME       one counter of the first helper (JSON)
# cthelperd_to_kernel_ftp NS   stop the daemon serving NS's ftp helper and
#                              load nf_conntrack_ftp + nf_nat_ftp instead
#                              (the reference); kernel_ftp_unload after it

CTHD=$REPO/tools/cthelperd/cthelperd
CTHD_CTL=$T/cthelperd.sock
CTHD_LOG=$T/cthelperd.log

cthelperd_start() {
	_ns=$1; shift
	# ip netns exec, not the nsx function: $! must be the daemon itself
	ip netns exec "$_ns" "$CTHD" --foreground --control "$CTHD_CTL" "$@" >>"$CTHD_LOG" 2>&1 &
	CTHD_PID=$!
	PIDS="$PIDS $CTHD_PID"
	# ready once the control socket answers: setup and the drop are done
	if ! retry 50 sh -c "'$CTHD' --stats --control '$CTHD_CTL' >/dev/null 2>&1"; then
		sed 's/^/# /' "$CTHD_LOG"
		return 1
	fi
}

cthelperd_stats() {
	"$CTHD" --stats --control "$CTHD_CTL" "$@"
}

cthelperd_counter() {
	cthelperd_stats --json | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1
}

# cthelperd_stop: SIGTERM; its exit status
cthelperd_stop() {
	kill -TERM "$CTHD_PID" 2>/dev/null
	wait "$CTHD_PID"
	_rc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $CTHD_PID\b//")
	return $_rc
}

# cthelperd_kill9: SIGKILL, no cleanup of its own (helpers stay registered)
cthelperd_kill9() {
	kill -9 "$CTHD_PID" 2>/dev/null
	wait "$CTHD_PID" 2>/dev/null
	PIDS=$(echo "$PIDS" | sed "s/ $CTHD_PID\b//")
}

# cthelperd_to_kernel_ftp NS: the raw table's rules go (they hold the
# user-space helper), the daemon stops and its helper is deleted, then the
# in-kernel FTP helper and its NAT part are loaded. Fails when they cannot be.
cthelperd_to_kernel_ftp() {
	nsx "$1" iptables -t raw -F
	cthelperd_stop
	retry 25 sh -c "! ip netns exec $1 nfct list helper 2>/dev/null | grep -q 'name = ftp'" &&
	for _m in nf_conntrack_ftp nf_nat_ftp; do
		[ -e /sys/module/$_m ] || modprobe $_m 2>/dev/null ||
			insmod "$LINUX/net/netfilter/$_m.ko" 2>/dev/null || return 1
	done
}

# kernel_ftp_unload NS: its rules and conntracks go, then the modules.
kernel_ftp_unload() {
	nsx "$1" iptables -t raw -F
	nsx "$1" conntrack -F >/dev/null 2>&1
	retry 25 rmmod nf_nat_ftp 2>/dev/null
	retry 25 rmmod nf_conntrack_ftp 2>/dev/null
}
