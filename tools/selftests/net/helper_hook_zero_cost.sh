#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helper hooks (priority NF_IP_PRI_CONNTRACK_HELPER, 300, on INPUT and
# POSTROUTING) exist only in a namespace that has a user-space helper:
# `nft list hooks` shows them appear with the first helper and never in
# another namespace. They stay after the last helper is deleted: removing a
# hook would drop every packet queued in the namespace
# (cthelper_queue_isolation.sh).
. "${REPO:-.}/tools/selftests/lib.sh"

require nfct nft
kernel_src_has NF_IP_PRI_CONNTRACK_HELPER net/ ||
	skip_all "helper/confirm hook split not in this kernel"
F2=fw2-$$
netns_add "$F" && netns_add "$F2" || skip_all "cannot create namespaces"
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# Conntrack in use in both, so that its own hooks are there to compare.
for ns in "$F" "$F2"; do
	nsx "$ns" nft -f - <<-NFT
	table inet t {
		chain in { type filter hook input priority 0; ct state new accept; }
	}
	NFT
done
nsx "$F" nft list hooks ip | grep -q nf_confirm ||
	skip_all "nft list hooks shows nothing (NETFILTER_NETLINK_HOOK?)"

# helper_hooks NS FAMILY HOOK: NS has a hook at priority 300 on HOOK.
# A hook function of a module is listed as "nfnl_cthelper_hook [module]":
# only a line whose first word is "hook" opens a hook's block.
helper_hook() {
	nsx "$1" nft list hooks "$2" | awk -v h="$3" '
		$1 == "hook" { cur = $2 }
		cur == h && $1 == "+0000000300" { found = 1 }
		END { exit !found }'
}
none() {
	for fam in ip ip6; do
		for hook in input postrouting; do
			! helper_hook "$1" $fam $hook || return 1
		done
	done
}

check "no helper: no helper hook" none "$F"
nsx "$F" nfct add helper ftp inet tcp
check "first IPv4 helper: helper hook on ip input" helper_hook "$F" ip input
check "first IPv4 helper: helper hook on ip postrouting" helper_hook "$F" ip postrouting
check "other namespace still has none" none "$F2"
nsx "$F" nfct add helper ftp inet6 tcp
nsx "$F" nfct add helper tftp inet udp
check "IPv6 helper: helper hook on ip6 input" helper_hook "$F" ip6 input
check "IPv6 helper: helper hook on ip6 postrouting" helper_hook "$F" ip6 postrouting
nsx "$F" nfct delete helper ftp inet tcp
check "one IPv4 helper left: hooks stay" helper_hook "$F" ip postrouting
nsx "$F" nfct delete helper tftp inet udp
nsx "$F" nfct delete helper ftp inet6 tcp
check "last helper deleted: hooks stay" helper_hook "$F" ip postrouting
nsx "$F" nfct add helper ftp inet tcp
nsx "$F" nfct flush helper
check "flush: hooks stay" helper_hook "$F" ip input
check "other namespace never had any" none "$F2"

tap_done
