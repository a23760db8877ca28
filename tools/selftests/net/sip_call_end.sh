#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A call's media expectations go when the call ends, as nf_conntrack_sip's
# flush_expectations() removes them: alice's INVITE (from $CLI:5062 to
# port 5060 of a server-side host, through the firewall of sip/lib.sh)
# announces a media port; the expectation is listed (conntrack -L expect:
# the test kernel has no /proc/net/nf_conntrack_expect) until her BYE, or
# until the final error answer to that INVITE, and media sent to the port
# afterwards does not get through. A re-INVITE's media replace the old
# ones. Hostile: a BYE from another host (its own conntrack) and an error
# answer with another CSeq remove nothing. UDP, IPv4 and IPv6;
# nf_conntrack_sip as the reference, then cthelperd, whose removals need a
# kernel with NFQA_EXP_FLUSH (skipped, saying so, on one without; then the
# daemon must count them as flushes_lost, never claim them).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# ce_send NS FROM FROM_PORT TO TO_PORT: stdin as one UDP datagram
ce_send() {
	case $4 in
	*:*)	nsx "$1" socat -u STDIN "UDP6-SENDTO:[$4]:$5,bind=[$2]:$3" ;;
	*)	nsx "$1" socat -u STDIN "UDP4-SENDTO:$4:$5,bind=$2:$3" ;;
	esac
}

# CRLF: a command substitution would strip its LF
CRLF=$(printf '\r.')
CRLF="${CRLF%.}
"

# ce_request METHOD CSEQ FROM TO [MEDIA_PORT]: a request from FROM:5062 to
# TO:5060, with an SDP offer for FROM:MEDIA_PORT when given
ce_request() {
	_cr_body= _cr_type=
	if [ -n "${5:-}" ]; then
		case $3 in *:*) _cr_ip=IP6 ;; *) _cr_ip=IP4 ;; esac
		_cr_body="v=0${CRLF}o=- 1 1 IN $_cr_ip $3${CRLF}s=-${CRLF}c=IN $_cr_ip $3${CRLF}t=0 0${CRLF}m=audio $5 RTP/AVP 0${CRLF}"
		_cr_type="Content-Type: application/sdp${CRLF}"
	fi
	printf '%s' "$1 sip:bob@$(sip_host "$4") SIP/2.0${CRLF}Via: SIP/2.0/UDP $(sip_host "$3"):5062;branch=z9hG4bK$1$2${CRLF}Max-Forwards: 70${CRLF}From: <sip:alice@$(sip_host "$3")>;tag=a1${CRLF}To: <sip:bob@$(sip_host "$4")>${CRLF}Call-ID: call-end-$3${CRLF}CSeq: $2 $1${CRLF}Contact: <sip:alice@$(sip_host "$3"):5062>${CRLF}${_cr_type}Content-Length: ${#_cr_body}${CRLF}${CRLF}${_cr_body}" |
		ce_send "$C" "$3" 5062 "$4" 5060
}

# ce_answer CODE CSEQ_METHOD FROM TO: a final answer from FROM:5060 back to
# TO:5062, the reply direction of the request's conntrack
ce_answer() {
	printf '%s' "SIP/2.0 $1 Busy Here${CRLF}Via: SIP/2.0/UDP $(sip_host "$4"):5062;branch=z9hG4bKINVITE${CRLF}From: <sip:alice@$(sip_host "$4")>;tag=a1${CRLF}To: <sip:bob@$(sip_host "$3")>;tag=b1${CRLF}Call-ID: call-end-$4${CRLF}CSeq: $2${CRLF}Content-Length: 0${CRLF}${CRLF}" |
		ce_send "$S" "$3" 5060 "$4" 5062
}

# ce_listed PORT: the firewall has an expectation to PORT (of family
# $CE_FAM: conntrack lists IPv4 only unless told)
ce_listed() {
	nsx "$F" conntrack -L expect -f "$CE_FAM" 2>/dev/null | grep -q "dport=$1 "
}
ce_gone() { retry 10 sh -c "! ip netns exec $F conntrack -L expect -f $CE_FAM 2>/dev/null | grep -q 'dport=$1 '"; }

# removal NAME CMD...: CMD checks a removal; skipped for $CE_WHY when set
removal() {
	_rm_name=$1; shift
	if [ -n "$CE_WHY" ]; then
		skip "$_rm_name" "$CE_WHY"
	else
		check "$_rm_name" "$@"
	fi
}

# ce_media_arrives FROM TO PORT: a datagram from FROM:7000 reaches TO:PORT
ce_media_arrives() {
	_cm_out=$T/media-$3
	: >"$_cm_out"
	case $2 in
	*:*)	spawn "$C" socat -u "UDP6-RECV:$3,bind=[$2]" "OPEN:$_cm_out,append" ;;
	*)	spawn "$C" socat -u "UDP4-RECV:$3,bind=$2" "OPEN:$_cm_out,append" ;;
	esac
	_cm_pid=$!
	sleep 0.3
	echo rtp | ce_send "$S" "$1" 7000 "$2" "$3"
	retry 10 test -s "$_cm_out"
	_cm_rc=$?
	stop "$_cm_pid"
	return $_cm_rc
}

# call_end WHO [WHY]: the cases per family; the removals skipped for WHY
# when WHO cannot remove expectations (the listing and the media still
# checked the other way round: they must not lie about it)
PORT=41000
call_end() {
	CE_WHY=${2:-}
	for _f in 4 6; do
		eval _cli=\$CLI$_f _cli_other=\$CLI${_f}_OTHER _srv=\$SRV${_f}_OTHER
		CE_FAM=ipv4
		[ $_f = 4 ] || CE_FAM=ipv6
		_w="$1 IPv$_f"
		PORT=$((PORT + 100))
		_p=$PORT _q=$((PORT + 20)) _r1=$((PORT + 40)) _r2=$((PORT + 60))

		ce_request INVITE 1 $_cli $_srv $_p
		check "$_w: the INVITE's SDP opens RTP and RTCP (expectations to $_p, $((_p + 1)))" \
			retry 10 ce_listed $((_p + 1))
		ce_request BYE 2 $_cli_other $_srv
		sleep 0.5
		check "$_w: a BYE from another host (its own conntrack) removes nothing" ce_listed $_p
		ce_answer 486 "99 INVITE" $_srv $_cli
		sleep 0.5
		check "$_w: an error answer with another CSeq removes nothing" ce_listed $_p
		ce_request BYE 2 $_cli $_srv
		removal "$_w: BYE removes the call's media expectations" ce_gone $_p
		[ -n "$CE_WHY" ] ||
			check_fails "$_w: after BYE, media to $_p does not get through" \
				ce_media_arrives $_srv $_cli $_p

		ce_request INVITE 3 $_cli $_srv $_q
		check "$_w: a new INVITE opens its media" retry 10 ce_listed $_q
		ce_answer 486 "3 INVITE" $_srv $_cli
		removal "$_w: 486 to that INVITE (its CSeq) removes them" ce_gone $_q

		ce_request INVITE 5 $_cli $_srv $_r1
		retry 10 ce_listed $_r1
		ce_request INVITE 6 $_cli $_srv $_r2
		check "$_w: a re-INVITE opens its media" retry 10 ce_listed $_r2
		check "$_w: media to the re-INVITE's port gets through" \
			ce_media_arrives $_srv $_cli $_r2
		removal "$_w: the re-INVITE's media replace the old ones" ce_gone $_r1
		[ -n "$CE_WHY" ] ||
			check_fails "$_w: media to the replaced port does not get through" \
				ce_media_arrives $_srv $_cli $_r1
		ce_request BYE 7 $_cli $_srv
	done
}

if sip_kernel_load; then
	sip_assign "$F" sip udp
	call_end nf_conntrack_sip
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip: the same cases" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	if grep -q "no NFQA_EXP_FLUSH" "$CTHD_LOG"; then
		call_end cthelperd "this kernel has no NFQA_EXP_FLUSH (the series' expectation removal patch)"
		check "cthelperd: the removals it could not ask for are counted (flushes_lost)" \
			test "$(cthelperd_counter flushes_lost)" -gt 0
		check "cthelperd: and none claimed (expect_flushes 0)" \
			test "$(cthelperd_counter expect_flushes)" -eq 0
	else
		call_end cthelperd
		check "cthelperd: removals counted (expect_flushes)" \
			test "$(cthelperd_counter expect_flushes)" -gt 0
		check "cthelperd: the kernel refused none (kernel_errors 0)" \
			test "$(cthelperd_counter kernel_errors)" -eq 0
	fi
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same cases" "$SIP_MISSING"
fi
sip_done
