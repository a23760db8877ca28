#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SIP calls through a stateful firewall that lets in only NEW to port 5060
# (UDP and TCP, from the client side) plus ESTABLISHED,RELATED: alice (the
# client) calls bob through kamailio (registrar and proxy on the server
# side), IPv4 and IPv6, over UDP and TCP, and RTP and RTCP must flow in both
# directions, each from a port other than the announced one, so that each
# direction needs the expectation from its own SDP (offer and answer).
# Without a helper the media must fail; the in-kernel nf_conntrack_sip is
# the reference; then cthelperd's sip helper, its cases skipped (never
# passed) for what it does not have yet.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# calls WHO ok|none [PROTOS [WHY]]: a call per family and transport; its
# media must arrive both ways (ok) or not at all (none). Transports not in
# PROTOS are skipped because of WHY.
calls() {
	for _c_tr in udp tcp; do
		for _c_fam in 4 6; do
			eval _c_cli=\$CLI$_c_fam _c_srv=\$SRV$_c_fam
			_c_id=$(echo "$1" | tr ' ' -)-$_c_tr$_c_fam
			_c_what="$1 IPv$_c_fam $_c_tr"
			case " ${3:-udp tcp} " in
			*" $_c_tr "*) ;;
			*)	skip "$_c_what: call and media both ways" "$4"; continue ;;
			esac
			check "$_c_what: call set up through kamailio" \
				sip_call $_c_id $_c_cli $_c_srv $_c_tr
			if [ "$2" = ok ]; then
				check "$_c_what: RTP and RTCP arrive both ways" sip_media_ok $_c_id
			else
				check "$_c_what: no RTP nor RTCP gets through either way" \
					sip_media_none $_c_id
			fi
		done
	done
}

calls "no helper" none
sip_unassign "$F"

if sip_kernel_load; then
	sip_assign "$F" sip
	sip_events_start "$F"
	calls nf_conntrack_sip ok
	sip_events_stop
	check "nf_conntrack_sip: conntrack -E expect shows its expectations" \
		sh -c "grep -a 'helper=sip' '$T/events' | grep -q NEW"
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip: the same calls" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	sip_cthd_has tcp
	sip_events_start "$F"
	calls cthelperd ok "$SIP_PROTOS" "$SIP_MISSING"
	sip_events_stop
	check "cthelperd: conntrack -E expect shows its expectations" \
		sh -c "grep -a 'helper=sip' '$T/events' | grep -q NEW"
	cthelperd_check_stats 8
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same calls" "$SIP_MISSING"
fi
sip_done
