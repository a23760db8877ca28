#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input to NFNL_SUBSYS_CTHELPER gets the documented errno (the program
# checks each case), and a helper referenced by a rule cannot be deleted
# (EBUSY) until the rule is gone: xt CT target, nft ct helper object.
. "${REPO:-.}/tools/selftests/lib.sh"

prog=$SELFTESTS_BIN/cthelper_bad_input
[ -x "$prog" ] || skip_all "$prog not built"
netns_add "$F" || skip_all "cannot create a netns"
nsx "$F" "$prog" del nothing ENOENT 2>/dev/null ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

tap_prog "$prog"

# del_busy_until_unreferenced HOW: the helper is in use by the rule HOW
# created; DEL fails with EBUSY, and works once the rule is gone.
nsx "$F" nfct add helper ftp inet tcp
check "DEL while an iptables CT rule references it: EBUSY" sh -c "
	ip netns exec $F iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp &&
	ip netns exec $F $prog del ftp EBUSY"
nsx "$F" iptables -t raw -F PREROUTING
# References go away asynchronously (kernel-facts): retry briefly.
check "DEL once the iptables rule is gone" retry 25 nsx "$F" "$prog" del ftp 0

nsx "$F" nfct add helper ftp inet tcp
check "DEL while an nft ct helper object references it: EBUSY" sh -c "
	ip netns exec $F nft add table ip t &&
	ip netns exec $F nft add ct helper ip t h '{ type \"ftp\" protocol tcp; }' &&
	ip netns exec $F $prog del ftp EBUSY"
check "flush keeps the referenced helper" sh -c "
	ip netns exec $F nfct flush helper; ip netns exec $F nfct list helper | grep -q ftp"
nsx "$F" nft delete table ip t
check "DEL once the nft object is gone" retry 25 nsx "$F" "$prog" del ftp 0

tap_done
