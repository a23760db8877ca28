# SPDX-License-Identifier: GPL-2.0
# The body of sip_snat.sh and sip_dnat.sh (one test each, to stay well
# inside the VM's time per test), with $SIP_NAT snat or dnat: SIP calls
# through a NATing stateful firewall (NEW only to port 5060 from the client
# side, plus ESTABLISHED,RELATED). With SNAT kamailio and bob see the
# firewall's address, so the offer's SDP must be rewritten to it and the
# media expectation NATed back to alice; with DNAT alice calls the
# firewall's address, so the answer's SDP must be rewritten to it and the
# expectation NATed on to bob. IPv4 and IPv6, UDP and TCP. Without a
# helper the media must fail; nf_conntrack_sip + nf_nat_sip are the
# reference; cthelperd's cases are skipped (never passed) for what its sip
# helper does not have yet.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# nat_calls WHO ok|none NAT [PROTOS [WHY]]: a call per family and
# transport under NAT (snat|dnat); media both ways (ok) or none at all.
# Transports not in PROTOS are left out, or skipped because of WHY.
nat_calls() {
	sip_nat "$F" "$3"
	for _c_tr in udp tcp; do
		for _c_fam in 4 6; do
			eval _c_cli=\$CLI$_c_fam _c_srv=\$SRV$_c_fam
			eval _c_fwc=\$FWC$_c_fam _c_fws=\$FWS$_c_fam
			_c_id=$(echo "$1" | tr ' ' -)-$3-$_c_tr$_c_fam
			_c_what="$1 $3 IPv$_c_fam $_c_tr"
			case " ${4:-udp tcp} " in
			*" $_c_tr "*) ;;
			*)	[ -z "${5:-}" ] ||
					skip "$_c_what: call and media both ways" "$5"
				continue ;;
			esac
			if [ "$3" = dnat ]; then _c_proxy=$_c_fwc; else _c_proxy=$_c_srv; fi
			check "$_c_what: call set up through kamailio" \
				sip_call $_c_id $_c_cli $_c_proxy $_c_tr
			if [ "$2" = ok ]; then
				if [ "$3" = dnat ]; then
					check "$_c_what: alice gets the answer's media at the firewall's address" \
						grep -q "^answer media $(hostport_re $_c_fwc)" "$T/$_c_id.out"
				else
					check "$_c_what: bob gets the offer's media at the firewall's address" \
						grep -q "^invite $_c_id .* offer $(hostport_re $_c_fws)" "$BOB_LOG"
				fi
				check "$_c_what: RTP and RTCP arrive both ways" sip_media_ok $_c_id
			else
				check "$_c_what: no RTP nor RTCP gets through either way" \
					sip_media_none $_c_id
			fi
		done
	done
	sip_nat "$F" none
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# hostport_re ADDR: the start of "ADDR:" or "[ADDR]:" as a grep pattern
hostport_re() {
	case $1 in
	*:*)	echo "\\[$1\\]:" ;;
	*)	echo "$1:" | sed 's/\./\\./g' ;;
	esac
}

nat_calls "no helper" none $SIP_NAT
sip_unassign "$F"

if sip_kernel_load; then
	sip_assign "$F" sip
	nat_calls nf_nat_sip ok $SIP_NAT
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip + nf_nat_sip: the same calls" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	if sip_cthd_has nat; then
		sip_cthd_has tcp
		nat_calls cthelperd ok $SIP_NAT "$SIP_PROTOS" "$SIP_MISSING"
		check "stats: packets rewritten, no internal or kernel error" sh -c "
			[ '$(cthelperd_counter mangled)' -ge 4 ] &&
			[ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
			[ '$(cthelperd_counter kernel_errors)' = 0 ]"
		cthelperd_stats | sed 's/^/# /'
	else
		skip "cthelperd: $SIP_NAT calls" "$SIP_MISSING"
	fi
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same calls" "$SIP_MISSING"
fi
sip_done
