#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP through a firewall that forwards only NEW to port 21 plus
# ESTABLISHED,RELATED, with the user-space ftp helper assigned in raw
# PREROUTING (iptables CT, then nft ct helper set) and Debian's conntrackd
# (helper mode) doing the parsing: PASV, PORT and EPRT over IPv4 work and
# conntrack shows the expectations; without the helper the transfer fails.
. "${REPO:-.}/tools/selftests/lib.sh"

require conntrackd nfct conntrack vsftpd curl
ftp_setup
conntrackd_start "$F" || skip_all "conntrackd does not start"

# Forwarded, firewall on FORWARD; negative test first.
fw_filter "$F" iptables
if ftp_pasv "$C" $SRV4 2>/dev/null; then
	not_ok "without a helper, PASV data is dropped" "RELATED must be what lets it in"
else
	ok "without a helper, PASV data is dropped"
fi

helper_assign "$F" iptables PREROUTING
spawn "$F" conntrack -E expect >"$T/events" 2>&1
EVENTS=$!
sleep 0.5
check "forwarded, iptables: PASV" ftp_pasv "$C" $SRV4
check "forwarded, iptables: PORT" ftp_port "$C" $SRV4 $CLI4
check "forwarded, iptables: EPRT" ftp_eprt "$C" $SRV4 $CLI4
sleep 0.5
stop $EVENTS
check "conntrack -E expect shows the expectations with helper=ftp" \
	sh -c "grep 'helper=ftp' '$T/events' | grep -q NEW"
check "conntrack -L shows the data connection was RELATED (helped master)" \
	sh -c "ip netns exec $F conntrack -L -p tcp --dport 21 2>/dev/null | grep -q 'helper=ftp'"

fw_reset
fw_filter "$F" nft
helper_assign "$F" nft PREROUTING
check "forwarded, nft: PASV" ftp_pasv "$C" $SRV4
check "forwarded, nft: PORT" ftp_port "$C" $SRV4 $CLI4
check "forwarded, nft: EPRT" ftp_eprt "$C" $SRV4 $CLI4

check "conntrackd still running" kill -0 "$CONNTRACKD_PID"
fw_reset
tap_done
