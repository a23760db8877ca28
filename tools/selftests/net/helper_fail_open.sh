#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fail-open: with the user-space ftp helper assigned but no daemon on its
# queue, behind a firewall that lets in only NEW to port 21 and
# ESTABLISHED,RELATED, the FTP control connection works and its conntrack
# is confirmed (on pristine 6.12 it is not, and the connection times out).
# Fail-closed (NFCTH_F_FAIL_CLOSED) drops its payload instead. Once the
# daemon is back, data connections are helped again.
. "${REPO:-.}/tools/selftests/lib.sh"

prog=$SELFTESTS_BIN/cthelper_bad_input
[ -x "$prog" ] || skip_all "$prog not built"
require conntrackd nfct conntrack vsftpd curl
kernel_src_has NF_IP_PRI_CONNTRACK_HELPER net/ ||
	skip_all "helper/confirm hook split not in this kernel (pristine 6.12 leaves bypassed packets unconfirmed)"
ftp_setup
fw_filter "$F" iptables

# control: login and SIZE/MDTM of the file, no data connection.
control() {
	nsx "$C" curl -sS --max-time 8 -I "ftp://$SRV4/file" >"$T/head" 2>&1 &&
		grep -q "Content-Length: 20000" "$T/head"
}
confirmed() {
	nsx "$F" conntrack -L -p tcp --dport 21 2>/dev/null | grep -q "dport=21"
}

# The daemon configures and enables the helper, then goes away.
conntrackd_start "$F" || skip_all "conntrackd does not start"
helper_assign "$F" iptables PREROUTING
check "with the daemon: PASV transfer" ftp_pasv "$C" $SRV4
stop "$CONNTRACKD_PID"
nsx "$F" conntrack -F 2>/dev/null

check "no daemon: control connection works (fail-open)" control
check "no daemon: its conntrack is confirmed (conntrack -L)" confirmed
if ftp_pasv "$C" $SRV4 2>/dev/null; then
	not_ok "no daemon: the data connection is not helped (dropped)"
else
	ok "no daemon: the data connection is not helped (dropped)"
fi

if nsx "$F" "$prog" has-flags; then
	nsx "$F" conntrack -F 2>/dev/null
	check "set NFCTH_F_FAIL_CLOSED" nsx "$F" "$prog" status ftp 2 6 1 1
	if control; then
		not_ok "fail-closed, no daemon: control connection dropped"
	else
		ok "fail-closed, no daemon: control connection dropped"
	fi
	# Segments without payload are never queued, so the handshake
	# passes; not one byte of FTP does.
	nsx "$C" curl -v --max-time 5 "ftp://$SRV4/file" >"$T/closed" 2>&1
	check "fail-closed, no daemon: TCP handshake passes (not queued)" \
		grep -q "Connected to" "$T/closed"
	check "fail-closed, no daemon: the server's greeting is dropped" \
		sh -c "! grep -q '^< 220' '$T/closed'"
	check "back to fail-open" nsx "$F" "$prog" status ftp 2 6 1 0
else
	skip "fail-closed, no daemon: control connection dropped" \
		"NFCTH_FLAGS not in this kernel"
fi

conntrackd_start "$F" || not_ok "daemon restarts"
check "daemon back: PASV transfer helped again" \
	ftp_pasv "$C" $SRV4
check "daemon back: PORT transfer helped again" \
	ftp_port "$C" $SRV4 $CLI4
stop "$CONNTRACKD_PID"
nsx "$F" iptables -t raw -F
tap_done
