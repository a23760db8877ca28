#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A caller tries to have the firewall open media that is not its own,
# through a stateful firewall that lets in only NEW to port 5060 from the
# client side: media announced at a third party's address gets no
# expectation (sip_direct_media, the kernel's safe default) unless the
# admin turned it off (then it flows: the refusal is the option's doing);
# media announced at a privileged port opens nothing, also under SNAT,
# where the expectation would be on the firewall's own address. IPv4 and
# IPv6; nf_conntrack_sip + nf_nat_sip as the reference, then cthelperd
# (its cases skipped, never passed, for what it does not have yet), which
# refuses sip_direct_media 0 unless it keeps CAP_NET_ADMIN (the kernel
# refuses such media to an unprivileged daemon's verdicts) and with it lets
# the media flow.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# third_party WHO ok|none: alice announces her media at the other address
# of her side ($CLI4_OTHER, $CLI6_OTHER, where she listens and sends from):
# media both ways (ok) or none at all.
third_party() {
	_h=$(echo "$1" | tr ' ' -)
	for _h_fam in 4 6; do
		eval _h_cli=\$CLI$_h_fam _h_srv=\$SRV$_h_fam _h_other=\$CLI${_h_fam}_OTHER
		sip_call $_h-third$_h_fam $_h_cli $_h_srv udp --announce $_h_other
		if [ "$2" = ok ]; then
			check "$1 IPv$_h_fam: media at a third party's address arrives both ways" \
				sip_media_ok $_h-third$_h_fam
		else
			check "$1 IPv$_h_fam: media at a third party's address arrives neither way" \
				sip_media_none $_h-third$_h_fam
		fi
	done
}

DIRECT_MEDIA=/sys/module/nf_conntrack_sip/parameters/sip_direct_media
if sip_kernel_load; then
	sip_assign "$F" sip
	third_party nf_conntrack_sip none
	echo 0 >$DIRECT_MEDIA
	third_party "nf_conntrack_sip sip_direct_media=0" ok
	echo 1 >$DIRECT_MEDIA
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip + nf_nat_sip: the same cases" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	third_party cthelperd none
	cthelperd_check_stats 2
	sip_cthd_stop "$F"
	# Media to an address that is not the call's needs a privileged sender:
	# the series' least-privilege verdicts refuse it (EPERM). Unprivileged,
	# cthelperd refuses the option at start, saying why and what to do...
	check_fails "cthelperd sip_direct_media=0 without CAP_NET_ADMIN: refuses to start" \
		cthelperd_start "$F" --helper sip --register --option sip_direct_media=0
	check "cthelperd sip_direct_media=0: the error names the option, the reason and the fix" \
		sh -c "grep 'sip_direct_media 0' '$CTHD_LOG' | grep 'privileged sender' |
			grep -q 'Capabilities net_admin'"
	# ... and with the capability kept, the option does what it says
	if sip_cthd_start "$F" --capabilities net_admin --option sip_direct_media=0; then
		check "cthelperd sip_direct_media=0 with CAP_NET_ADMIN: says its verdicts are unrestricted" \
			grep -q "verdicts unrestricted, CAP_NET_ADMIN kept" "$CTHD_LOG"
		third_party "cthelperd sip_direct_media=0" ok
		sip_cthd_stop "$F"
	else
		not_ok "cthelperd sip_direct_media=0 --capabilities net_admin: starts"
	fi
else
	skip "cthelperd: the same cases" "$SIP_MISSING"
fi
sip_done
