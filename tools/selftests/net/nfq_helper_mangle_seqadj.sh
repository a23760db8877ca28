#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Payload mangled to a different length by a user-space helper
# (nfq_test_helper -M makes every 227/229 reply longer) on a connection
# without NAT: the kernel adjusts TCP sequence numbers from then on, so the
# transfer, the replies after it and a second transfer on the same control
# connection work (Documentation: "when its length differs, TCP sequence
# numbers of the connection are adjusted from then on"). progs/ct_seqadj
# shows the offsets the kernel recorded (CTA_SEQ_ADJ_*), for the helped
# TCP connection only.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
# Upstream adjusts sequence numbers after a verdict's mangling only for
# NATed connections (ctnetlink_glue_seqadj returns early otherwise).
grep -A4 '^static void ctnetlink_glue_seqadj' \
	"$LINUX/net/netfilter/nf_conntrack_netlink.c" 2>/dev/null | grep -q IPS_NAT_MASK &&
	skip_all "this kernel adjusts sequence numbers after mangling only with NAT"
require nfct vsftpd curl
ftp_setup
fw_filter "$F" iptables
nfq_helper_start "$F" -M || skip_all "nfq_test_helper does not start"
helper_assign "$F" iptables PREROUTING 46

check "IPv4 PASV, 227 reply made longer" ftp_pasv "$C" $SRV4
# The offset recorded for the server's direction (CTA_SEQ_ADJ_REPLY, which
# conntrack(8) does not show): the 227 reply grew, nothing else did.
if [ -x "$SELFTESTS_BIN/ct_seqadj" ]; then
	nsx "$F" "$SELFTESTS_BIN/ct_seqadj" >"$T/seqadj"
	sed 's/^/# /' "$T/seqadj"
	check "control connection: sequence adjustment of the reply direction recorded" \
		awk '$2 == 6 && $4 == 21 { n++; if ($6 == "none" || $8 != 0 || $9 != 0 || $13 <= 0) bad++ }
			END { exit !(n > 0 && !bad) }' "$T/seqadj"
	check "data connection (not helped): no sequence adjustment" \
		awk '$2 == 6 && $4 >= 30000 && $4 < 30100 { n++; if ($6 != "none") bad++ }
			END { exit !(n > 0 && !bad) }' "$T/seqadj"
else
	skip "control connection: sequence adjustment of the reply direction recorded" "ct_seqadj not built"
fi
check "two files on one control connection after the longer reply" \
	sh -c "rm -f $T/got2; ip netns exec $C curl -sS --max-time 15 --disable-epsv \
		-o $T/got -o $T/got2 ftp://$SRV4/file ftp://$SRV4/file &&
		cmp -s $T/got2 $T/ftproot/file"
check "IPv6 EPSV, 229 reply made longer" ftp_get "$C" "ftp://[$SRV6]"
check "replies were mangled" grep -q '^mangle text' "$NFQ_LOG"
nfq_helper_stop
tap_done
