#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP end to end through cthelperd behind a firewall that lets in only NEW
# to port 21 plus ESTABLISHED,RELATED: PASV, EPSV, PORT, EPRT over IPv4 and
# EPSV, EPRT over IPv6 (conntrackd 1.4.7 fails EPSV and IPv6 EPRT), with
# the helper assigned by iptables and by nft. The daemon registers the
# helpers itself (--register), runs as nobody without capabilities (with
# CAP_NET_ADMIN only on a kernel that checks the sender of every verdict)
# under seccomp while it helps, counts what it did, and deletes the helpers
# it created when SIGTERM stops it.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd curl nft
ftp_setup

cthelperd_start "$F" --helper ftp --register --user nobody ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables ftp for inet and inet6"
check "nfct lists ftp inet and inet6 on queue 0, enabled, 24 bytes" sh -c "
	ip netns exec $F nfct list helper | tr -d '\n\t' | sed 's/};/};\n/g' >$T/helpers
	grep -c 'name = ftp,.*queuenum = 0,.*priv_data_len = 24,.*status = enabled' $T/helpers | grep -qx 2"

epsv() { ftp_get "$1" "ftp://$2"; }

fw_filter "$F" iptables
if ftp_pasv "$C" $SRV4 2>/dev/null; then
	not_ok "without the helper assigned, PASV data is dropped"
else
	ok "without the helper assigned, PASV data is dropped"
fi

helper_assign "$F" iptables PREROUTING 46
nsx "$F" conntrack -E expect >"$T/events" 2>&1 &
EVENTS=$!
PIDS="$PIDS $EVENTS"
sleep 0.5
check "iptables IPv4: PASV" ftp_pasv "$C" $SRV4
check "iptables IPv4: EPSV" epsv "$C" $SRV4
check "iptables IPv4: PORT" ftp_port "$C" $SRV4 $CLI4
check "iptables IPv4: EPRT" ftp_eprt "$C" $SRV4 $CLI4
check "iptables IPv6: EPSV" epsv "$C" "[$SRV6]"
check "iptables IPv6: EPRT" ftp_eprt "$C" "[$SRV6]" $CLI6
sleep 0.5
stop $EVENTS
check "conntrack -E expect shows expectations of the ftp helper" \
	sh -c "grep 'helper=ftp' '$T/events' | grep -q NEW"

fw_reset
fw_filter "$F" nft
helper_assign "$F" nft PREROUTING 46
check "nft IPv4: PASV" ftp_pasv "$C" $SRV4
check "nft IPv4: EPSV" epsv "$C" $SRV4
check "nft IPv4: PORT" ftp_port "$C" $SRV4 $CLI4
check "nft IPv6: EPSV" epsv "$C" "[$SRV6]"
check "nft IPv6: EPRT" ftp_eprt "$C" "[$SRV6]" $CLI6

# least privilege, checked while it was helping the transfers above
status=/proc/$CTHD_PID/status
check "cthelperd runs as nobody" sh -c "grep -Eq '^Uid:[[:space:]]+65534[[:space:]]+65534' $status"
if kernel_src_has NFNL_CB_F_OPENER_CAP net/netfilter/nfnetlink_queue.c; then
	# verdicts need only the socket opener's CAP_NET_ADMIN: keep nothing
	check "cthelperd has no capabilities while it helps (effective, permitted, bounding, ambient)" sh -c "
		grep -Eq '^CapEff:[[:space:]]+0+$' $status && grep -Eq '^CapPrm:[[:space:]]+0+$' $status &&
		grep -Eq '^CapBnd:[[:space:]]+0+$' $status && grep -Eq '^CapAmb:[[:space:]]+0+$' $status"
else
	check "cthelperd keeps CAP_NET_ADMIN only (this kernel checks the sender of verdicts)" sh -c "
		grep -Eq '^CapEff:[[:space:]]+0+1000$' $status && grep -Eq '^CapPrm:[[:space:]]+0+1000$' $status &&
		grep -Eq '^CapBnd:[[:space:]]+0+1000$' $status && grep -Eq '^CapAmb:[[:space:]]+0+$' $status"
fi
check "cthelperd runs under a seccomp filter with no_new_privs" sh -c "
	grep -Eq '^Seccomp:[[:space:]]+2' $status && grep -Eq '^NoNewPrivs:[[:space:]]+1' $status"

expectations=$(cthelperd_counter expectations)
check "stats: 11 expectations created, no internal error" sh -c "
	[ '$expectations' -ge 11 ] && [ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
	[ '$(cthelperd_counter kernel_errors)' = 0 ]"
cthelperd_stats | sed 's/^/# /'
check "stats text names the helper" sh -c "'$CTHD' --stats --control '$CTHD_CTL' | grep -q '^helper ftp queue 0'"

fw_reset
cthelperd_stop
rc=$?
check "SIGTERM: cthelperd exits 0" test "$rc" -eq 0
check "SIGTERM: the helpers it created are deleted" \
	sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ftp'"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
