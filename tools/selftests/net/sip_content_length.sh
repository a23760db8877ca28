#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# INVITEs whose Content-Length is huge, through a stateful firewall that
# lets in only NEW to port 5060 from the client side, with the helper
# assigned. Over TCP the message never completes, so its SDP must open
# nothing. Over UDP the datagram is all there is: RFC 3261 18.3 makes a body
# shorter than Content-Length an error (kamailio drops it); the kernel
# ignores Content-Length over UDP and opens the media anyway (shown, its
# known behaviour), cthelperd must not. Each helper must then still serve
# normal calls over both transports.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# huge WHO UDP_MUST_OPEN_NOTHING PROTOS [WHY]: the cases; TCP's skipped
# because of WHY when not in PROTOS
huge() {
	_h=$(echo "$1" | tr ' ' -)
	sip_events_start "$F"
	sip_call $_h-hugeudp $CLI4 $SRV4 udp --content-length 4294967296 --timeout 4
	sip_events_stop
	if [ "$2" = yes ]; then
		check_fails "$1 UDP: the SDP of an INVITE with Content-Length 4294967296 opens nothing" \
			sip_expected_port $ALICE_PORT
	elif sip_expected_port $ALICE_PORT; then
		diag "$1 UDP: the SDP of an INVITE with Content-Length 4294967296 opened media"
	else
		diag "$1 UDP: the SDP of an INVITE with Content-Length 4294967296 opened nothing"
	fi
	case " $3 " in
	*" tcp "*)
		sip_events_start "$F"
		sip_call $_h-hugetcp $CLI4 $SRV4 tcp --content-length 99999 --timeout 4
		sip_events_stop
		check_fails "$1 TCP: the SDP of an INVITE whose Content-Length is past the end opens nothing" \
			sip_expected_port $ALICE_PORT
		check "$1 TCP: then a normal call has media both ways" call_ok $_h-aftertcp tcp
		;;
	*)	skip "$1 TCP: huge Content-Length" "$4" ;;
	esac
	check "$1 UDP: then a normal call has media both ways" call_ok $_h-afterudp udp
}

# call_ok ID TRANSPORT: a normal IPv4 call with media both ways
call_ok() {
	sip_call $1 $CLI4 $SRV4 $2 && sip_media_ok $1
}

if sip_kernel_load; then
	sip_assign "$F" sip
	huge nf_conntrack_sip no "udp tcp"
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip: the same cases" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	sip_cthd_has tcp
	huge cthelperd yes "$SIP_PROTOS" "$SIP_MISSING"
	cthelperd_check_stats 2
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same cases" "$SIP_MISSING"
fi
sip_done
