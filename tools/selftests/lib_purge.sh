# SPDX-License-Identifier: GPL-2.0
# Shared by the tests that race a user-space helper's removal (sourced
# after lib.sh, in a network namespace of the test's own):
#   purge_prologue    skip unless nfct, nfq_exp_flood, nft, conntrack and a
#                     kernel with nf_conntrack_helpers_purge_net() are there;
#                     sets NFCT and FLOOD, brings lo up
#   helper_on_port TABLE PORT HELPER [ARGS...]  nfct helper add HELPER inet
#                     udp ARGS, and nft table TABLE giving HELPER to the
#                     local UDP flows to PORT; errors in $T/TABLE.err
#   spawn_bg LOG CMD...  CMD in the background, output appended to LOG
#   dumper            dump all that prints a helper, in a loop until killed
#                     (not the helpers themselves with DUMP_HELPERS=no: that
#                     would load nfnetlink_cthelper again)
#   end_all           kill and reap what spawn_bg started

purge_prologue() {
	NFCT=$REPO/tools/nfct/nfct
	FLOOD=$SELFTESTS_BIN/nfq_exp_flood
	[ -x "$FLOOD" ] || skip_all "nfq_exp_flood not built (make selftests)"
	[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
	require nft conntrack
	ip link set lo up
	"$NFCT" helper list >/dev/null 2>&1 || skip_all "kernel without nfnetlink_cthelper"
	kernel_src_has nf_conntrack_helpers_purge_net net/netfilter/nf_conntrack_helper.c ||
		skip_all "this kernel removes helpers one by one, without a purge"
}

helper_on_port() {
	_table=$1 _port=$2 _helper=$3
	shift 3
	"$NFCT" helper add "$_helper" inet udp "$@" >"$T/$_table.err" 2>&1 &&
	nft -f - >>"$T/$_table.err" 2>&1 <<-NFT
	table ip $_table {
		ct helper h { type "$_helper" protocol udp; }
		chain out {
			type filter hook output priority -150;
			udp dport $_port ct helper set "h"
		}
	}
	NFT
}

spawn_bg() {
	_log=$1; shift
	"$@" >>"$_log" 2>&1 &
	PIDS="$PIDS $!"
}

dumper() {
	while :; do
		conntrack -L >/dev/null 2>&1
		conntrack -L expect >/dev/null 2>&1
		[ ! -r /proc/net/nf_conntrack ] || cat /proc/net/nf_conntrack >/dev/null
		[ ! -r /proc/net/nf_conntrack_expect ] ||
			cat /proc/net/nf_conntrack_expect >/dev/null
		[ "${DUMP_HELPERS:-yes}" = no ] ||
			"$NFCT" helper list >/dev/null 2>&1
	done
}

end_all() {
	for _p in $PIDS; do kill "$_p" 2>/dev/null; done
	for _p in $PIDS; do wait "$_p" 2>/dev/null; done
	PIDS=""
}
