#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP helper benchmark, side by side in one VM boot: the in-kernel
# nf_conntrack_ftp, conntrackd 1.4.7 in helper mode and cthelperd.
#   sessions/s: active-mode (PORT) downloads through the firewall, each a
#               new control and data connection ($SESSIONS x $ROUNDS)
#   control/s:  NOOP round trips on one control connection ($NOOPS), every
#               packet of it through the helper path
# Prints a table and the ratios; TAP "ok" lines so the runner counts it.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

# small by default: the VM is qemu tcg on a shared machine
SESSIONS=${SESSIONS:-30}
ROUNDS=${ROUNDS:-2}
NOOPS=${NOOPS:-500}

require conntrackd nfct curl vsftpd bc /usr/bin/python3
[ -x "$CTHD" ] || skip_all "cthelperd not built"
ftp_setup
fw_filter "$F" iptables

# sessions_per_s: best of $ROUNDS rounds of $SESSIONS PORT downloads
sessions_per_s() {
	_best=0
	for _r in $(seq "$ROUNDS"); do
		_t0=$(date +%s.%N)
		_i=0
		while [ $_i -lt "$SESSIONS" ]; do
			ftp_port "$C" $SRV4 $CLI4 || return 1
			_i=$((_i + 1))
		done
		_t1=$(date +%s.%N)
		_rate=$(echo "$SESSIONS / ($_t1 - $_t0)" | bc -l)
		_best=$(echo "if ($_rate > $_best) $_rate else $_best" | bc -l)
	done
	printf '%.1f' "$_best"
}

control_per_s() {
	nsx "$C" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/noop_client.py" $SRV4 "$NOOPS"
}

measure() {
	_s=$(sessions_per_s) || { not_ok "$1: sessions"; return 1; }
	_c=$(control_per_s) || { not_ok "$1: control round trips"; return 1; }
	ok "$1: $_s sessions/s, $_c control round trips/s"
	eval "S_$2=$_s C_$2=$_c"
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
diag "control round trips/s: kernel ${C_kernel:-n/a}, conntrackd ${C_conntrackd:-n/a}, cthelperd ${C_cthelperd:-n/a}"
diag "cthelperd / in-kernel sessions: $(ratio "${S_cthelperd:-}" "${S_kernel:-}") (target >= 0.9)"
diag "cthelperd / conntrackd control: $(ratio "${C_cthelperd:-}" "${C_conntrackd:-}") (target >= 2)"
tap_done
