#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP client on the firewall itself (locally generated traffic, helper
# assigned in raw OUTPUT, queued from POSTROUTING), the firewall's own
# INPUT/OUTPUT filtered to NEW to port 21 plus ESTABLISHED,RELATED;
# conntrackd parses: PASV, PORT, EPRT.
. "${REPO:-.}/tools/selftests/lib.sh"

require conntrackd nfct conntrack vsftpd curl
ftp_setup
conntrackd_start "$F" || skip_all "conntrackd does not start"

# The client on the firewall: its own OUTPUT and INPUT are filtered.
fw_local_filter "$F" output
helper_assign "$F" iptables OUTPUT
check "local client, raw OUTPUT: PASV" ftp_pasv "$F" $SRV4
check "local client, raw OUTPUT: PORT" ftp_port "$F" $SRV4 $FWS4
check "local client, raw OUTPUT: EPRT" ftp_eprt "$F" $SRV4 $FWS4

check "conntrackd still running" kill -0 "$CONNTRACKD_PID"
fw_reset
tap_done
