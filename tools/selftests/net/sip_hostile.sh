#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Hostile SIP through a stateful firewall that lets in only NEW to port
# 5060 from the client side, with the helper assigned: a caller announcing
# media at a third party's address (sip_direct_media: no expectation, no
# media to it), at a privileged port (nothing opened to it, with and without
# SNAT: not a way to the firewall's own low ports), and INVITEs whose
# Content-Length is huge (UDP: measured and shown; TCP: the message never
# completes, so its SDP opens nothing). Each helper must then still serve
# a normal call. nf_conntrack_sip + nf_nat_sip are the reference; then
# cthelperd (its cases skipped, never passed, for what it does not have).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# hostile WHO PROTOS [WHY]: the hostile calls, IPv4 (and IPv6 for the third
# party); TCP cases skipped because of WHY when not in PROTOS.
hostile() {
	_h=$(echo "$1" | tr ' ' -)
	sip_events_start "$F"
	for _h_fam in 4 6; do
		eval _h_cli=\$CLI$_h_fam _h_srv=\$SRV$_h_fam _h_other=\$CLI${_h_fam}_OTHER
		sip_call $_h-third$_h_fam $_h_cli $_h_srv udp --announce $_h_other
		check "$1 IPv$_h_fam: media announced at a third party's address arrives neither way" \
			sip_media_none $_h-third$_h_fam
	done

	# a privileged port: the kernel drops the whole INVITE, cthelperd
	# lets it pass without an expectation; neither opens the port
	sip_call $_h-priv $CLI4 $SRV4 udp --media-port 1000 --timeout 5
	check "$1: media announced at port 1000 does not reach it" \
		sip_alice_got $_h-priv 0
	# under SNAT the expectation would be on the firewall's own address
	sip_nat "$F" snat
	sip_call $_h-privnat $CLI4 $SRV4 udp --media-port 22 --timeout 5
	sip_nat "$F" none
	sip_events_stop
	check_fails "$1: no expectation for port 1000, nor for port 22 under SNAT" \
		sh -c "grep -a NEW '$T/events' | grep -Eq 'dport=(1000|1001|22|23) '"
	check "$1 SNAT: media announced at port 22 does not reach it" \
		sip_alice_got $_h-privnat 0

	# a huge Content-Length: over UDP the datagram is all there is
	sip_events_start "$F"
	sip_call $_h-hugeudp $CLI4 $SRV4 udp --content-length 4294967296 --timeout 4
	sip_events_stop
	if sip_expected_port $ALICE_PORT; then
		diag "$1: UDP INVITE with Content-Length 4294967296: its SDP opened media"
	else
		diag "$1: UDP INVITE with Content-Length 4294967296: its SDP opened nothing"
	fi
	case " $2 " in
	*" tcp "*)
		sip_events_start "$F"
		sip_call $_h-hugetcp $CLI4 $SRV4 tcp --content-length 99999 --timeout 4
		sip_events_stop
		check_fails "$1 TCP: the SDP of an INVITE whose Content-Length is past the end opens nothing" \
			sip_expected_port $ALICE_PORT
		check "$1 TCP: then a normal call has media both ways" \
			call_ok $_h-aftertcp tcp
		;;
	*)	skip "$1 TCP: huge Content-Length" "$3" ;;
	esac
	check "$1: after all this a normal call has media both ways" \
		call_ok $_h-after udp
}

# call_ok ID TRANSPORT: a normal IPv4 call with media both ways
call_ok() {
	sip_call $1 $CLI4 $SRV4 $2 && sip_media_ok $1
}

if sip_kernel_load; then
	sip_assign "$F" sip
	hostile nf_conntrack_sip "udp tcp"
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip + nf_nat_sip: the hostile cases" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	sip_cthd_has tcp
	hostile cthelperd "$SIP_PROTOS" "$SIP_MISSING"
	cthelperd_check_stats 2
	sip_cthd_stop "$F"
else
	skip "cthelperd: the hostile cases" "$SIP_MISSING"
fi
sip_done
