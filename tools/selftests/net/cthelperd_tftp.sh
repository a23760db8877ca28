#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# TFTP end to end through cthelperd behind a firewall that lets in only NEW
# to UDP port 69 plus ESTABLISHED,RELATED: tftpd-hpa answers a read or
# write request from a new port, which only the helper's expectation lets
# back to the client. tftp-hpa reads and writes over IPv4 and IPv6, without
# NAT and with the client SNATed by the firewall; without the helper the
# transfer must fail. The in-kernel nf_conntrack_tftp + nf_nat_tftp run the
# same cases as the reference when this kernel has them, and conntrackd
# 1.4.7's tftp helper too (which fails under SNAT: its expectations reach
# the kernel without their NAT binding, see upstream-facts).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft in.tftpd tftp
getent passwd tftp >/dev/null || skip_all "no user tftp for tftpd-hpa"
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

mkdir -p "$T/tftproot"
chmod 755 "$T"
chmod 777 "$T/tftproot"
head -c 30000 /dev/urandom >"$T/tftproot/file"
head -c 20000 /dev/urandom >"$T/upload"
chmod 644 "$T/tftproot/file" "$T/upload"
# IPv4 and IPv6 (":69" opens one socket each), files under tftproot,
# uploads may create files; the answer comes from a new port
spawn "$S" in.tftpd -L -l -a :69 -u tftp -c -s "$T/tftproot"
retry 25 sh -c "ip netns exec $S ss -Huln 'sport = :69' | grep -q ." ||
	skip_all "tftpd-hpa does not start"

# tftp_get HOST FAMILY: read "file" (at most 8 s: tftp-hpa retries 25 s)
tftp_get() {
	rm -f "$T/got"
	nsx "$C" timeout 8 tftp "-$2" "$1" -m binary -c get file "$T/got" &&
		cmp -s "$T/got" "$T/tftproot/file"
}

# tftp_put HOST FAMILY NAME: write $T/upload as NAME
tftp_put() {
	nsx "$C" timeout 8 tftp "-$2" "$1" -m binary -c put "$T/upload" "$3" &&
		cmp -s "$T/upload" "$T/tftproot/$3"
}

# transfers WHO [SNAT_BUG]: reads and writes, IPv4 and IPv6, then with
# SNAT (which must fail, for the reason SNAT_BUG, when one is given)
transfers() {
	fw_reset
	fw_filter_service "$F" udp 69
	helper_assign_service "$F" tftp udp 69
	check "$1 IPv4: read (RRQ)" tftp_get $SRV4 4
	check "$1 IPv4: write (WRQ)" tftp_put $SRV4 4 "up4-$1"
	check "$1 IPv6: read (RRQ)" tftp_get $SRV6 6
	check "$1 IPv6: write (WRQ)" tftp_put $SRV6 6 "up6-$1"
	nsx "$F" conntrack -F >/dev/null 2>&1
	fw_nat "$F" snat
	for _fam in 4 6; do
		eval _srv=\$SRV$_fam
		if [ -z "${2:-}" ]; then
			check "$1 IPv$_fam SNAT: read" tftp_get $_srv $_fam
			check "$1 IPv$_fam SNAT: write" tftp_put $_srv $_fam "up${_fam}nat-$1"
		else
			check_fails "$1 IPv$_fam SNAT: read fails ($2)" tftp_get $_srv $_fam
		fi
	done
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the server's answer is dropped
fw_filter_service "$F" udp 69
check_fails "no helper IPv4: the read must fail" tftp_get $SRV4 4
check_fails "no helper IPv6: the read must fail" tftp_get $SRV6 6
fw_reset

cthelperd_start "$F" --helper tftp --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables tftp for inet and inet6"
cthelperd_check_listed "$F" tftp 17
nsx "$F" conntrack -E expect >"$T/events" 2>&1 &
EVENTS=$!
PIDS="$PIDS $EVENTS"
sleep 0.5
transfers cthelperd
stop $EVENTS
check "conntrack -E expect shows expectations of the tftp helper" \
	sh -c "grep 'helper=tftp' '$T/events' | grep -q NEW"
cthelperd_check_stats 8
cthelperd_finish
kernel_reference "nf_conntrack_tftp nf_nat_tftp" transfers nf_conntrack_tftp

# conntrackd 1.4.7's tftp helper, the other user-space one
if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 tftp udp; then
	# measured: its expectations reach the kernel without their NAT binding
	transfers conntrackd "libnetfilter_conntrack leaves out CTA_EXPECT_NAT"
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper tftp $fam udp 2>/dev/null; done
else
	skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
