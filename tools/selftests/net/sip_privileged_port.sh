#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A caller announces its media at a privileged port, through a stateful
# firewall that lets in only NEW to port 5060 from the client side: nothing
# may be opened to it, also under SNAT, where the expectation would be on
# the firewall's own address (a way to its port 22). The kernel drops such
# an INVITE whole, cthelperd lets it pass without an expectation; after it
# each still serves a normal call. nf_conntrack_sip + nf_nat_sip as the
# reference, then cthelperd.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# privileged WHO: media announced at port 1000, and at port 22 under SNAT
privileged() {
	_h=$(echo "$1" | tr ' ' -)
	sip_events_start "$F"
	sip_call $_h-priv $CLI4 $SRV4 udp --media-port 1000 --timeout 5
	sip_nat "$F" snat
	sip_call $_h-privnat $CLI4 $SRV4 udp --media-port 22 --timeout 5
	sip_nat "$F" none
	sip_events_stop
	check "$1: media announced at port 1000 does not reach it" \
		sip_alice_got $_h-priv 0
	check "$1 SNAT: media announced at port 22 does not reach it" \
		sip_alice_got $_h-privnat 0
	check_fails "$1: no expectation for port 1000, nor for port 22 under SNAT" \
		sh -c "grep -a NEW '$T/events' | grep -Eq 'dport=(1000|1001|22|23) '"
	check "$1: then a normal call has media both ways" call_ok $_h-after
}

call_ok() {
	sip_call $1 $CLI4 $SRV4 udp && sip_media_ok $1
}

if sip_kernel_load; then
	sip_assign "$F" sip
	privileged nf_conntrack_sip
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip + nf_nat_sip: the same cases" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	privileged cthelperd
	cthelperd_check_stats 1
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same cases" "$SIP_MISSING"
fi
sip_done
