#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Registering and deleting user-space helpers must not drop the packets
# another program holds in its own queue of the same namespace (an IPS,
# say): unregistering a netfilter hook drops every queued packet of the
# namespace (nf_queue_nf_hook_drop()), and so did the purge of a deleted
# helper. Three packets wait on queue 5, held by a program that gives no
# verdict; after each step queue 5 must still hold them: the first helper
# registered, a helper deleted while another remains, the last one deleted.
# Each deleted helper has a conntrack, so the test can see when its purge
# has run (the conntrack loses its helper).
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_accept" ] || skip_all "nfq_accept not built"
require nft conntrack bash
# Our nfct: conntrack-tools' only registers the helpers it knows by name.
NFCT=$REPO/tools/nfct/nfct
[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built"
netns_add "$F" || skip_all "cannot create namespaces"
nsx "$F" "$NFCT" helper list >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
nsx "$F" nft -f - <<-NFT || skip_all "nft queue rule refused"
	table inet q {
		chain out { type filter hook output priority 0; udp dport 9999 queue num 5; }
	}
NFT
spawn "$F" "$SELFTESTS_BIN/nfq_accept" -H -q 5 >"$T/holder.log" 2>&1
retry 50 grep -qs '^ready' "$T/holder.log" || skip_all "nfq_accept -H does not start"

queued() {
	nsx "$F" awk '$1 == 5 { print $3 }' /proc/net/netfilter/nfnetlink_queue
}
# fill: send until queue 5 holds three packets again.
fill() {
	_have=$(queued)
	while [ "${_have:-0}" -lt 3 ]; do
		nsx "$F" bash -c 'echo held > /dev/udp/127.0.0.1/9999'
		_have=$((${_have:-0} + 1))
	done
	retry 50 sh -c "[ \"\$(ip netns exec $F awk '\$1 == 5 { print \$3 }' /proc/net/netfilter/nfnetlink_queue)\" = 3 ]"
}
# still_held WHAT: queue 5 still holds its three packets after WHAT; refill
# for the next step if it does not.
still_held() {
	_q=$(queued)
	if [ "$_q" = 3 ]; then
		ok "queue 5 keeps its packets: $1"
	else
		not_ok "queue 5 keeps its packets: $1" "queue 5 holds ${_q:-nothing} of 3"
		fill
	fi
}
# helped NAME PORT: a conntrack to PORT still has helper NAME.
helped() {
	nsx "$F" conntrack -L -p udp --dport "$2" 2>/dev/null | grep -q "helper=$1"
}
# purged NAME PORT: wait for the purge of NAME (its conntrack loses it),
# then a little for the rest of the purge.
purged() {
	retry 150 sh -c "! ip netns exec $F conntrack -L -p udp --dport $2 2>/dev/null | grep -q helper=$1" &&
		sleep 2
}

check "three packets held on queue 5" fill

nsx "$F" "$NFCT" helper add helpa inet udp
still_held "first helper registered"

nsx "$F" "$NFCT" helper add helpb inet udp
nsx "$F" nft -f - <<-NFT
	table inet h {
		ct helper a { type "helpa" protocol udp; l3proto ip; }
		ct helper b { type "helpb" protocol udp; l3proto ip; }
		chain out {
			type filter hook output priority -150;
			udp dport 7069 ct helper set "a"
			udp dport 7070 ct helper set "b"
		}
	}
NFT
# Disabled helpers queue nothing: these conntracks just carry them.
nsx "$F" bash -c 'echo a > /dev/udp/127.0.0.1/7069; echo b > /dev/udp/127.0.0.1/7070'
check "a conntrack carries helpa" helped helpa 7069
check "a conntrack carries helpb" helped helpb 7070
# Upstream behaviour, left alone: removing a base chain or a ct helper
# object drops every queued packet of the namespace. Refill afterwards.
nsx "$F" nft delete table inet h
fill

retry 25 nsx "$F" "$NFCT" helper delete helpb inet udp
check "helpb purged (its conntrack lost it)" purged helpb 7070
still_held "a helper deleted while another remains"

retry 25 nsx "$F" "$NFCT" helper delete helpa inet udp
check "helpa purged (its conntrack lost it)" purged helpa 7069
still_held "the last helper deleted"

# The purge must still drop what it has to: covered by
# cthelper_expect_race.sh (packets of the deleted helper's connections).
tap_done
