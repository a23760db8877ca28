#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP server on the firewall itself (LOCAL_IN helper hook), helper
# assigned with nft in PREROUTING, the firewall's own INPUT/OUTPUT
# filtered to NEW to port 21 plus ESTABLISHED,RELATED; conntrackd parses:
# PASV, PORT, EPRT.
. "${REPO:-.}/tools/selftests/lib.sh"

require conntrackd nfct conntrack vsftpd curl
ftp_setup
conntrackd_start "$F" || skip_all "conntrackd does not start"

# The server on the firewall: LOCAL_IN path.
ftp_server_start "$F"
fw_local_filter "$F" input
helper_assign "$F" nft PREROUTING
check "local server, nft: PASV" ftp_pasv "$C" $FWC4
check "local server, nft: PORT" ftp_port "$C" $FWC4 $CLI4
check "local server, nft: EPRT" ftp_eprt "$C" $FWC4 $CLI4

check "conntrackd still running" kill -0 "$CONNTRACKD_PID"
fw_reset
tap_done
