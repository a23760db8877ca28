#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP through a NATing firewall with nfq_test_helper -N as the user-space
# helper: the address in the payload is rewritten to a different length
# (sequence numbers adjusted afterwards: a second transfer on the same
# control connection works) and the expectation carries CTA_EXPECT_NAT +
# nat-follow-master so that the data connection is NATed like its master.
# DNAT + PASV/EPSV over IPv4 and IPv6, SNAT + PORT/EPRT over IPv4 and EPRT
# over IPv6.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct conntrack vsftpd curl nft
ftp_setup

fw_filter "$F" iptables

# nfq_test_helper -N: rewrites and NAT bindings, both families.
nfq_helper_start "$F" -N || skip_all "nfq_test_helper does not start"
helper_assign "$F" iptables PREROUTING 46
fw_nat "$F" dnat
check "DNAT IPv4: PASV, 227 address rewritten longer" \
	ftp_pasv "$C" $FWC4
check "DNAT IPv4: rewrite seen" grep -q "mangle address 10,0,2,2 -> 10,0,1,254" "$NFQ_LOG"
check "DNAT IPv4: second transfer on the same control connection" \
	sh -c "ip netns exec $C curl -sS --max-time 15 --disable-epsv \
		-o $T/a -o $T/b ftp://$FWC4/file ftp://$FWC4/file && cmp -s $T/b $T/ftproot/file"
check "DNAT IPv4: control connection confirmed" ctl_confirmed "$F" ipv4
check "DNAT IPv4: EPSV (NAT binding only)" ftp_get "$C" "ftp://$FWC4"
check "DNAT IPv6: EPSV (NAT binding only)" ftp_get "$C" "ftp://[$FWC6]"
check "DNAT IPv6: control connection confirmed" ctl_confirmed "$F" ipv6
fw_nat "$F" snat
check "SNAT IPv4: PORT, address rewritten longer" \
	ftp_port "$C" $SRV4 $CLI4
check "SNAT IPv4: rewrite seen" grep -q "mangle address 10,0,1,1 -> 10,0,2,254" "$NFQ_LOG"
check "SNAT IPv4: EPRT" ftp_eprt "$C" $SRV4 $CLI4
check "SNAT IPv6: EPRT, address rewritten longer" ftp_eprt "$C" "[$SRV6]" "$CLI6"
check "SNAT IPv6: rewrite seen" grep -q "mangle address dead:1::1 -> dead:2::fe" "$NFQ_LOG"
check "SNAT IPv6: control connection confirmed" ctl_confirmed "$F" ipv6
nfq_helper_stop
fw_reset
tap_done
