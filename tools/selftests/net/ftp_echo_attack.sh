#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A hostile FTP client against a real server that echoes client text in its
# replies (vsftpd's answer to MKD: 257 "<path>" created). The client
# creates a directory named "/incoming/...aaa227 Entering Passive Mode
# (server,8,174)", sets its MSS so that the reply is cut right before the
# injected "227", and drops the first copy of that segment in its own
# namespace, so that the server retransmits it. A helper that takes a
# segment start for a line start opens port 2222 of the server to the
# client. Then a genuine PASV, whose data port must be reachable (the
# helper is tracking the session). With cthelperd and, as the reference,
# the in-kernel nf_conntrack_ftp; without NAT and with the server behind
# DNAT.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd socat nft /usr/bin/python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
getent passwd ftp >/dev/null || skip_all "no user ftp for vsftpd's anonymous sessions"
TARGET=2222
MSS=88

# vsftpd, anonymous, may create directories in /incoming; a listener on TARGET
mkdir -p "$T/ftproot/incoming"
chmod 755 "$T"
chown ftp "$T/ftproot/incoming"
ftp_server_start "$S" "write_enable=YES
anon_mkdir_write_enable=YES" || skip_all "vsftpd does not start"
spawn "$S" socat TCP-LISTEN:$TARGET,fork,reuseaddr EXEC:/bin/true
wait_port "$S" $TARGET || skip_all "no listener on $TARGET"

# The server sends one MSS a packet (veth would pass its GSO packets whole);
# no TCP timestamps, so that a segment holds exactly MSS bytes.
ip -n "$S" link set eth0 gso_max_segs 1
nsx "$C" sysctl -qw net.ipv4.tcp_timestamps=0
nsx "$C" nft -f - <<'EOF'
table inet attack {
	set seen {
		typeof tcp sequence
		flags dynamic
	}
	chain in {
		type filter hook input priority 0;
		tcp sport 21 @ih,0,24 0x323237 tcp sequence != @seen add @seen { tcp sequence } counter drop
	}
}
EOF

fw_filter "$F" iptables

# attack WHO NAT: one round; TAP lines say what happened.
attack() {
	_who=$1 _nat=$2 _to=$SRV4
	if [ "$_nat" = dnat ]; then
		fw_nat "$F" dnat
		_to=$FWC4
	else
		nsx "$F" nft delete table inet nat 2>/dev/null
	fi
	nsx "$F" conntrack -F >/dev/null 2>&1
	nsx "$F" conntrack -F expect >/dev/null 2>&1
	nsx "$C" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/echo_attack_client.py" \
		$_to $SRV4 $TARGET $MSS "/incoming/$_who-$_nat-" >"$T/attack.out" 2>&1
	_rc=$?
	sed 's/^/# /' "$T/attack.out"
	nsx "$F" conntrack -L expect 2>/dev/null | sed 's/^/# expectation: /'
	case $_rc in
	0 | 2) ok "$_who, $_nat: the echoed 227 (both copies) opens nothing" ;;
	1) not_ok "$_who, $_nat: the echoed 227 (both copies) opens nothing" \
		"port $TARGET of the server was reached" ;;
	*) not_ok "$_who, $_nat: the echoed 227 (both copies) opens nothing" \
		"the attack could not be set up (exit $_rc)" ;;
	esac
	check "$_who, $_nat: a genuine PASV in the same session still works" test $_rc -le 1
}

cthelperd_start "$F" --helper ftp --family inet --register ||
	{ not_ok "cthelperd starts"; tap_done; }
helper_assign "$F" iptables PREROUTING 4
attack cthelperd plain
attack cthelperd dnat
check "the client's namespace dropped the first copies (the server retransmitted)" \
	sh -c "ip netns exec $C nft list ruleset | grep -q 'counter packets [1-9]'"

# the reference: the kernel's own helper, under the same attack
if cthelperd_to_kernel_ftp "$F"; then
	helper_assign "$F" iptables PREROUTING 4
	attack nf_conntrack_ftp plain
	attack nf_conntrack_ftp dnat
	kernel_ftp_unload "$F"
else
	skip "nf_conntrack_ftp under the same attack" "the modules cannot be loaded"
fi
tap_done
