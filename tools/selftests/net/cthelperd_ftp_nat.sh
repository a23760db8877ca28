#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP through a NATing firewall with cthelperd: the announced address is
# rewritten in the payload (a different length, so the kernel adjusts
# sequence numbers) and every expectation carries CTA_EXPECT_NAT +
# nat-follow-master, so that the data connection is NATed like its master.
# The cases conntrackd 1.4.7 fails: SNAT with PORT, EPRT and EPSV, DNAT
# with PASV and EPSV, IPv6 EPRT; plus DNAT with PORT; IPv4 and IPv6;
# nft NAT with iptables and with nft helper assignment.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd curl nft
ftp_setup

# registered with nfct first, as an admin would; cthelperd only enables it
nsx "$F" nfct add helper ftp inet tcp
nsx "$F" nfct add helper ftp inet6 tcp
cthelperd_start "$F" --helper ftp || { not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts and enables the helpers nfct added"

epsv() { ftp_get "$1" "ftp://$2"; }

run_cases() {
	_how=$1
	fw_nat "$F" dnat
	check "$_how, DNAT IPv4: PASV (227 rewritten)" ftp_pasv "$C" $FWC4
	check "$_how, DNAT IPv4: EPSV" epsv "$C" $FWC4
	check "$_how, DNAT IPv4: PORT" ftp_port "$C" $FWC4 $CLI4
	check "$_how, DNAT IPv6: EPSV" epsv "$C" "[$FWC6]"
	check "$_how, DNAT IPv4: two transfers on one control connection" \
		sh -c "ip netns exec $C curl -sS --max-time 15 --disable-epsv \
			-o $T/a -o $T/b ftp://$FWC4/file ftp://$FWC4/file && cmp -s $T/b $T/ftproot/file"
	fw_nat "$F" snat
	check "$_how, SNAT IPv4: PORT (rewritten)" ftp_port "$C" $SRV4 $CLI4
	check "$_how, SNAT IPv4: EPRT (rewritten)" ftp_eprt "$C" $SRV4 $CLI4
	check "$_how, SNAT IPv4: EPSV" epsv "$C" $SRV4
	check "$_how, SNAT IPv4: PASV" ftp_pasv "$C" $SRV4
	if kernel_src_has 'skb_network_header(skb) + ip_hdrlen(skb)' net/netfilter/nf_conntrack_seqadj.c; then
		skip "$_how, SNAT IPv6: EPRT (rewritten, longer)" \
			"nf_ct_tcp_seqadj_set() takes ip_hdrlen() of an IPv6 packet: wrong sequence adjustment after a verdict changes an IPv6 payload's length"
	else
		check "$_how, SNAT IPv6: EPRT (rewritten, longer)" ftp_eprt "$C" "[$SRV6]" $CLI6
	fi
	check "$_how, SNAT IPv6: EPSV" epsv "$C" "[$SRV6]"
}

fw_filter "$F" iptables
helper_assign "$F" iptables PREROUTING 46
run_cases iptables
fw_reset
fw_filter "$F" nft
helper_assign "$F" nft PREROUTING 46
run_cases nft

check "stats: packets rewritten, no internal or kernel error" sh -c "
	[ '$(cthelperd_counter mangled)' -ge 10 ] && [ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
	[ '$(cthelperd_counter kernel_errors)' = 0 ]"
cthelperd_stats | sed 's/^/# /'
cthelperd_stop
check "SIGTERM: cthelperd exits 0" test $? -eq 0
check "the helpers nfct added stay registered" \
	sh -c "ip netns exec $F nfct list helper | grep -c 'name = ftp' | grep -qx 2"
fw_reset
retry 25 nsx "$F" nfct flush helper
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
