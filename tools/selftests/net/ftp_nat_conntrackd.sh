#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP through a NATing firewall with Debian's conntrackd as the user-space
# helper, for what it supports (IPv4, nothing to rewrite): SNAT + PASV and
# DNAT + PORT work and the control connection is confirmed.
. "${REPO:-.}/tools/selftests/lib.sh"

require conntrackd nfct conntrack vsftpd curl nft
ftp_setup

fw_filter "$F" iptables
# conntrackd: nothing to rewrite in these two.
conntrackd_start "$F" || skip_all "conntrackd does not start"
helper_assign "$F" iptables PREROUTING 4
fw_nat "$F" snat
check "conntrackd, SNAT: PASV" ftp_pasv "$C" $SRV4
check "conntrackd, SNAT: control connection confirmed" ctl_confirmed "$F" ipv4
fw_nat "$F" dnat
check "conntrackd, DNAT: PORT" \
	ftp_port "$C" $FWC4 $CLI4
stop "$CONNTRACKD_PID"
fw_reset
tap_done
