#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helped UDP flow over IPv6 whose datagrams are fragmented (3000 bytes,
# MTU 1500): the firewall reassembles them, the user-space helper gets
# each datagram once, whole, never a fragment (the helper hook skips
# IPv6 fragments other than the first, as nf_confirm() does), and the
# datagrams reach the server refragmented. Next to it, the same flow with
# datagrams that need no fragmentation. nfq_test_helper counts the queued
# packets; /proc/net/snmp6 shows that fragments were really sent and
# reassembled.
. "${REPO:-.}/tools/selftests/lib.sh"

require_helper_hook_udp
topo_setup
nsx "$F" "$NFCT" helper list >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
nsx "$F" "$NFCT" helper add fragh inet6 udp status enabled ||
	skip_all "cannot register a user-space UDP helper"
nsx "$F" ip6tables -t raw -A PREROUTING -p udp --dport 7000 -j CT --helper fragh ||
	skip_all "cannot assign the helper"

N=5
snmp6() {	# snmp6 NS COUNTER
	nsx "$1" awk -v c="$2" '$1 == c { print $2 }' /proc/net/snmp6
}

# flow SIZE: N datagrams of SIZE bytes client -> server through the
# helper; prints "QUEUED RECEIVED_BYTES" and the fragments the client and
# the firewall (refragmenting what nf_defrag_ipv6 reassembled, which no
# counter shows) created and the datagrams the server reassembled.
flow() {
	rm -f "$T/got"
	head -c $(($1 * N)) /dev/zero | tr '\0' x >"$T/dgrams"
	nfq_helper_start "$F" -R -n fragh || return 1
	spawn "$S" socat -u -b 65536 UDP6-RECV:7000 OPEN:"$T/got",creat,append
	_srv=$!
	# Bound before the first datagram (exec over 9p is slow on a busy host).
	retry 50 sh -c "ip netns exec $S ss -Huln 'sport = :7000' | grep -q ."
	_fc=$(snmp6 "$C" Ip6FragCreates) _ff=$(snmp6 "$F" Ip6FragCreates)
	_ro=$(snmp6 "$S" Ip6ReasmOKs)
	nsx "$C" socat -b "$1" -u OPEN:"$T/dgrams" "UDP6-SENDTO:[$SRV6]:7000"
	sleep 1
	stop "$_srv"
	nfq_helper_stop
	echo "$(sed -n 's/^summary: packets \([0-9]*\) .*/\1/p' "$NFQ_LOG")" \
		"$(wc -c <"$T/got" 2>/dev/null || echo 0)" \
		$(($(snmp6 "$C" Ip6FragCreates) - _fc)) \
		$(($(snmp6 "$F" Ip6FragCreates) - _ff)) $(($(snmp6 "$S" Ip6ReasmOKs) - _ro))
}

set -- $(flow 1000); q=${1:-none} r=${2:-0}
check "1000-byte datagrams: all $((N * 1000)) bytes arrive (got $r)" [ "$r" = $((N * 1000)) ]
check "1000-byte datagrams: each queued once ($q queued of $N)" [ "$q" = $N ]

set -- $(flow 3000); q=${1:-none} r=${2:-0} fc=${3:-0} ff=${4:-0} ro=${5:-0}
check "3000-byte datagrams: sent fragmented ($fc fragments), refragmented by the firewall ($ff), reassembled by the server ($ro)" \
	sh -c "[ $fc -ge $((N * 3)) ] && [ $ff -ge $((N * 3)) ] && [ $ro -ge $N ]"
check "3000-byte datagrams: all $((N * 3000)) bytes arrive refragmented (got $r)" \
	[ "$r" = $((N * 3000)) ]
check "3000-byte datagrams: each queued once, no fragment queued ($q queued of $N)" [ "$q" = $N ]

nsx "$F" ip6tables -t raw -F
tap_done
