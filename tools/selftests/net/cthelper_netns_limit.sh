#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A namespace may register at most net.netfilter.
# nf_conntrack_userspace_helpers_max user-space helpers (set from the initial
# namespace only: a container cannot raise its own limit); one more fails
# with ENOSPC, and another namespace keeps its own allowance.
. "${REPO:-.}/tools/selftests/lib.sh"

NFCT=$REPO/tools/nfct/nfct
[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built"
MAX=/proc/sys/net/netfilter/nf_conntrack_userspace_helpers_max
F2=fw2-$$
netns_add "$F" && netns_add "$F2" || skip_all "cannot create namespaces"
nsx "$F" "$NFCT" helper list >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
[ -w "$MAX" ] || {
	# Before the limit existed: show what a container could do.
	i=0
	while [ $i -lt 200 ] && nsx "$F" "$NFCT" helper add "h$i" inet udp 2>/dev/null; do
		i=$((i + 1))
	done
	diag "no $MAX; one namespace registered $i helpers"
	skip_all "no per-namespace limit in this kernel"
}
was=$(cat "$MAX")
check "default limit is sane (1..1024)" sh -c "[ $was -ge 1 ] && [ $was -le 1024 ]"
echo 5 >"$MAX"

add() { nsx "$1" "$NFCT" helper add "$2" inet udp; }
for i in 1 2 3 4 5; do add "$F" "h$i" || break; done
check "five helpers under a limit of five" sh -c "[ $i = 5 ]"
if add "$F" h6 2>"$T/err"; then
	not_ok "the sixth is refused (ENOSPC)"
else
	check "the sixth is refused (ENOSPC)" grep -qi "space" "$T/err"
fi
check "another namespace has its own five" \
	sh -c "for i in 1 2 3 4 5; do ip netns exec $F2 $NFCT helper add h\$i inet udp || exit 1; done"
check "the limit is not visible in a namespace (it cannot raise it)" \
	nsx "$F" sh -c "[ ! -e $MAX ]"
check "after a delete, one more fits" sh -c "ip netns exec $F $NFCT helper delete h1 && ip netns exec $F $NFCT helper add h6 inet udp"
echo "$was" >"$MAX"
tap_done
