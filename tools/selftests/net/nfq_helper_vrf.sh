#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A packet sent from a socket bound to a VRF device passes POST_ROUTING
# twice: once leaving through the VRF device, once through the real one.
# nf_confirm() skips the first pass (in_vrf_postrouting()); the helper
# hook must too, or each packet of a helped connection is queued to the
# user-space helper twice. UDP datagrams of a helped flow, IPv4 and IPv6,
# from a VRF-bound socket to a peer: nfq_test_helper counts the queued
# packets, which must equal the datagrams sent (twice as many before the
# fix), and every datagram arrives. The VRF driver leaves the packet
# untracked on the VRF device's pass unless it has a conntrack (template)
# already: a "ct zone set" rule on output gives it one there. The same
# flow without the VRF is the happy path the count is compared with.
. "${REPO:-.}/tools/selftests/lib.sh"

require_helper_hook_udp

A=va-$$
netns_add "$A" && netns_add "$S" || skip_all "cannot create namespaces"
nsx "$A" "$NFCT" helper list >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
veth_link "$A" a0 "$S" eth0 && veth_link "$A" b0 "$S" eth1 ||
	skip_all "cannot create veth pairs"
ip -n "$A" link add blue type vrf table 10 2>/dev/null ||
	skip_all "no VRF device (CONFIG_NET_VRF)"
# a0 in the VRF (addresses after enslaving it), b0 in the main table.
ip -n "$A" link set blue up && ip -n "$A" link set a0 master blue &&
	addr "$A" a0 10.0.3.1/24 dead:3::1/64 && addr "$S" eth0 10.0.3.2/24 dead:3::2/64 &&
	addr "$A" b0 10.0.4.1/24 dead:4::1/64 && addr "$S" eth1 10.0.4.2/24 dead:4::2/64 ||
	skip_all "cannot set up the VRF"

N=10
for fam in inet inet6; do
	nsx "$A" "$NFCT" helper add vrfh $fam udp status enabled ||
		skip_all "cannot register a user-space UDP helper"
done
# The VRF driver marks a packet untracked on the VRF device's pass unless
# it already has a conntrack: a "ct zone set" rule on output attaches a
# template there (upstream's conntrack_vrf.sh does the same), so that the
# packet is tracked, and helped, on that pass already.
nsx "$A" nft -f - <<-EOF || skip_all "cannot assign the helper (CONFIG_NF_CONNTRACK_ZONES?)"
table inet vrfh {
	ct helper h4 { type "vrfh" protocol udp; l3proto ip; }
	ct helper h6 { type "vrfh" protocol udp; l3proto ip6; }
	chain zone {
		type filter hook output priority raw;
		oifname "blue" ct zone set 1
	}
	chain assign {
		type filter hook output priority 0;
		meta nfproto ipv4 udp dport 7000 ct helper set "h4"
		meta nfproto ipv6 udp dport 7000 ct helper set "h6"
	}
}
EOF

# N datagrams of 8 bytes: socat reads the file 8 bytes at a time.
i=0
while [ $i -lt $N ]; do printf 'dgram%02d\n' $i; i=$((i + 1)); done >"$T/dgrams"

# queued DST VIA: N datagrams from A to DST (a socket bound to device VIA,
# or none), the helper counting; prints "QUEUED RECEIVED".
queued() {
	rm -f "$T/got"
	case $1 in *:*) _r=UDP6-RECV _s="UDP6-SENDTO:[$1]" ;; *) _r=UDP4-RECV _s="UDP4-SENDTO:$1" ;; esac
	nfq_helper_start "$A" -R -n vrfh || return 1
	spawn "$S" socat -u $_r:7000 OPEN:"$T/got",creat,append
	_srv=$!
	# Bound before the first datagram (exec over 9p is slow on a busy host).
	retry 50 sh -c "ip netns exec $S ss -Huln 'sport = :7000' | grep -q ."
	nsx "$A" socat -b 8 -u OPEN:"$T/dgrams" "$_s:7000${2:+,so-bindtodevice=$2}"
	sleep 1
	stop "$_srv"
	nfq_helper_stop
	echo "$(sed -n 's/^summary: packets \([0-9]*\) .*/\1/p' "$NFQ_LOG")" \
		"$(wc -l <"$T/got" 2>/dev/null || echo 0)"
}

for v in 4 6; do
	if [ $v = 4 ]; then plain=10.0.4.2 vrf=10.0.3.2; else plain=dead:4::2 vrf=dead:3::2; fi
	set -- $(queued $plain "") ; q=${1:-none} r=${2:-0}
	check "IPv$v without VRF: $N datagrams arrive (got $r)" [ "$r" = $N ]
	check "IPv$v without VRF: each queued once ($q queued)" [ "$q" = $N ]
	set -- $(queued $vrf blue) ; q=${1:-none} r=${2:-0}
	check "IPv$v through VRF blue: $N datagrams arrive (got $r)" [ "$r" = $N ]
	check "IPv$v through VRF blue: each queued once, not on the VRF device's POST_ROUTING ($q queued)" \
		[ "$q" = $N ]
	nsx "$A" conntrack -F >/dev/null 2>&1
done

nsx "$A" nft delete table inet vrfh
tap_done
