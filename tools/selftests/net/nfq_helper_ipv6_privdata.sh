#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The selftests' user-space helper (nfq_test_helper) through paths
# conntrackd cannot drive: FTP over IPv6 (EPSV and EPRT) through the IPv6
# helper hook, and private data written in each verdict (CTA_HELP_INFO)
# and read back on the next packets of the same connection.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct conntrack vsftpd curl
ftp_setup
fw_filter "$F" iptables
# 12 bytes of private data: a packet counter and a pattern after it.
nfq_helper_start "$F" -p 12 || skip_all "nfq_test_helper does not start"
helper_assign "$F" iptables PREROUTING 46

spawn "$F" conntrack -E expect >"$T/events" 2>&1
sleep 0.5

check "IPv6 EPSV through the helper" ftp_get "$C" "ftp://[$SRV6]"
check "IPv6 EPRT through the helper" ftp_eprt "$C" "[$SRV6]" "$CLI6"
check "IPv4 PASV through the helper" ftp_pasv "$C" $SRV4
sleep 0.5
check "IPv6 expectation seen by conntrack -E expect" \
	grep -q "src=$CLI6 dst=$SRV6" "$T/events"
check "IPv6 control connection confirmed (conntrack -L)" \
	sh -c "ip netns exec $F conntrack -L -f ipv6 -p tcp --dport 21 2>/dev/null | grep -q 'dport=21'"

if nfq_helper_stop; then
	ok "private data round trip: no wrong value or length read back"
else
	not_ok "private data round trip: no wrong value or length read back"
fi
grep -E '^privdata|^summary' "$NFQ_LOG" | sed 's/^/# /'
check "private data read back exactly on later packets" \
	grep -Eq 'privdata exact ([3-9]|[1-9][0-9]+) ' "$NFQ_LOG"

tap_done
