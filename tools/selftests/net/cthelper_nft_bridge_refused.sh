#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bridge and netdev conntrack confirm with nf_confirm(), which runs no
# user-space helper, and there is no helper hook for those families: an
# nft "ct helper" object of a user-space helper in a bridge or netdev
# table is refused with EOPNOTSUPP rather than silently never run. The
# same object in an inet or ip table is accepted, and so is an in-kernel
# helper (tftp) in a bridge table.
. "${REPO:-.}/tools/selftests/lib.sh"

NFCT=$REPO/tools/nfct/nfct
[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
require nft
kernel_src_has NF_CT_HELPER_F_USERSPACE net/netfilter/nft_ct.c ||
	skip_all "nft_ct does not refuse user-space helpers in this kernel"
netns_add "$F" || skip_all "cannot create a namespace"
nsx "$F" "$NFCT" helper list >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
nsx "$F" nft add table bridge tb 2>/dev/null ||
	skip_all "no bridge family in nf_tables (CONFIG_NF_TABLES_BRIDGE)"
nsx "$F" "$NFCT" helper add uh inet udp && nsx "$F" "$NFCT" helper add uh inet6 udp ||
	skip_all "cannot register a user-space helper"

# obj FAMILY TABLE NAME TYPE PROTO: add a ct helper object; its error in $T/err.
obj() {
	nsx "$F" nft add table "$1" "$2" &&
	nsx "$F" nft add ct helper "$1" "$2" "$3" "{ type \"$4\" protocol $5; }" 2>"$T/err"
}
refused() {	# refused FAMILY
	if obj "$1" t"$1" h uh udp; then
		not_ok "user-space helper in a $1 table refused" "it was accepted"
		return
	fi
	check "user-space helper in a $1 table refused: Operation not supported" \
		grep -q "Operation not supported" "$T/err"
	sed 's/^/#   /' "$T/err"
	if nsx "$F" nft list table "$1" t"$1" | grep -q "ct helper"; then
		not_ok "no object left in the $1 table after the refusal"
	else
		ok "no object left in the $1 table after the refusal"
	fi
}

check "user-space helper in an inet table accepted" obj inet ti h uh udp
check "user-space helper in an ip table accepted" obj ip ti4 h uh udp
check "user-space helper in an ip6 table accepted" obj ip6 ti6 h uh udp
refused bridge
if nsx "$F" nft add table netdev tn 2>/dev/null; then
	refused netdev
else
	skip "user-space helper in a netdev table refused" "no netdev family (CONFIG_NF_TABLES_NETDEV)"
fi

# An in-kernel helper there is another matter (nf_confirm runs it).
tftp_loaded=$(grep -c '^nf_conntrack_tftp ' /proc/modules)
if nsx "$F" nft add ct helper bridge tb k '{ type "tftp" protocol udp; }' 2>"$T/err"; then
	ok "in-kernel helper (tftp) in a bridge table accepted"
elif grep -q "No such file" "$T/err"; then
	skip "in-kernel helper (tftp) in a bridge table accepted" "no nf_conntrack_tftp module"
else
	not_ok "in-kernel helper (tftp) in a bridge table accepted" "$(cat "$T/err")"
fi

for t in "bridge tb" "inet ti" "ip ti4" "ip6 ti6" "netdev tn"; do
	nsx "$F" nft delete table $t 2>/dev/null
done
cleanup
# Leave no in-kernel tftp helper behind: it would own the name for the
# tests that follow (object destruction is asynchronous: retry).
if [ "$tftp_loaded" = 0 ] && grep -q '^nf_conntrack_tftp ' /proc/modules; then
	retry 50 rmmod nf_conntrack_tftp 2>/dev/null ||
		not_ok "nf_conntrack_tftp unloaded after the test"
fi
tap_done
