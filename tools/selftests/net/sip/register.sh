# SPDX-License-Identifier: GPL-2.0
# The body of sip_register{,_snat,_dnat}.sh and
# sip_register_tcp{,_snat,_dnat}.sh (one test per transport and NAT, to
# stay well inside the VM's time per test), with $SIP_TR udp or tcp and
# $SIP_NATS none, snat or dnat: REGISTER through a stateful firewall that
# lets in only NEW to port 5060 from the client side. The helper's expectation for
# the registered Contact is what lets a later request from the registrar
# (from a port of its own, not the registration's conntrack; over TCP a
# connection of its own) reach alice; a host that is not the registrar
# cannot use it (sip_direct_signalling), nor open media with the SDP of its
# forged INVITE; unregistering (Expires: 0, on the registration's socket or
# connection) closes it again. IPv4 and IPv6, without NAT, with SNAT (the
# registrar calls the Contact at the firewall's address) and with DNAT
# (alice registers at the firewall's address); no helper, nf_conntrack_sip
# + nf_nat_sip as the reference, then cthelperd (the unregistration skipped
# on a kernel that cannot take cthelperd's removal of an expectation).
# Over TCP alice's connection comes from a port of its own, not her
# Contact's: under SNAT the unregistration's Contact must be rewritten as
# the registration's was, or kamailio keeps the binding, its 200 OK lists
# it and the expectation stays. nf_nat_sip rewrites a Contact only when
# its port is the connection's: its result there is shown, not checked.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# a new source port for every request the registrar's side sends: no
# conntrack (nor TCP TIME_WAIT) of an earlier case can carry it
REG_PORT=5100
reg_port() { REG_PORT=$((REG_PORT + 1)); }

# invite_from SRC MEDIA_PORT: a hand-made INVITE from SRC (port
# $REG_PORT) to alice's Contact as the registrar has it ($_r_contact: her
# own address, the firewall's under SNAT), announcing media at MEDIA_PORT
invite_from() {
	sip_invite_text $1 $_r_contact $1 $2 $SIP_TR |
		sip_send "$S" $1 $REG_PORT $_r_contact $SIP_TR
}

# got_invite FILE PORT: alice received an INVITE sent from port PORT (its
# source address the registrar's, or the firewall's under DNAT)
got_invite() {
	grep -qE "received INVITE from [^ ]*:$2( |\$)" "$1"
}

# alice_stop NAME: alice stops listening; her log as diagnostics
alice_stop() {
	kill -USR2 "$ALICE_PID" 2>/dev/null
	wait "$ALICE_PID"
	PIDS=$(echo "$PIDS" | sed "s/ $ALICE_PID\b//")
	sed "s/^/# $1: /" "$T/$1.out"
}

# registrations WHO ok|none FAMILIES [NAT]: per family, alice registers (her
# Contact: port 5060 of $SIP_TR) and listens: a request from the registrar's
# address reaches her (ok) or not (none); never one from another host, nor
# an expectation for its SDP; after she unregistered, none at all (for
# cthelperd skipped when this kernel could not take its flush). NAT snat:
# the registrar sees the firewall's address and calls the Contact there;
# dnat: alice registers at the firewall's address.
registrations() {
	_r_nat=${4:-none}
	sip_nat "$F" $_r_nat
	nsx "$F" conntrack -F >/dev/null 2>&1
	for _r_fam in $3; do
		eval _r_cli=\$CLI$_r_fam _r_srv=\$SRV$_r_fam _r_other=\$SRV${_r_fam}_OTHER
		_r_contact=$_r_cli _r_proxy=$_r_srv
		[ $_r_nat != snat ] || eval _r_contact=\$FWS$_r_fam
		[ $_r_nat != dnat ] || eval _r_proxy=\$FWC$_r_fam
		_r_id=$(echo "$1" | tr ' ' -)-reg-$_r_nat-$SIP_TR$_r_fam
		_r_what="$1 IPv$_r_fam $SIP_TR"
		[ $_r_nat = none ] || _r_what="$_r_what $_r_nat"
		sip_events_start "$F"
		# a user of its own per case: a binding that a helper kept from
		# being removed (kamailio keeps it for --expires) is not listed
		# in a later case's 200 OK (nf_conntrack_sip stops reading a
		# Contact list at another family's address, and flushes)
		spawn "$C" $UA uac --local $_r_cli --proxy $_r_proxy --transport $SIP_TR \
			--user alice$REG_PORT --register --expires 300 --listen 120 \
			>"$T/$_r_id.out" 2>&1
		ALICE_PID=$!
		if ! retry 75 grep -q '^register 200' "$T/$_r_id.out"; then
			not_ok "$_r_what: alice registers through the firewall"
			alice_stop $_r_id
			sip_events_stop
			continue
		fi
		# the forged one first: once the registrar's has arrived, so
		# would have the forged one
		reg_port; _r_other_from=$REG_PORT
		invite_from $_r_other 46100
		reg_port; _r_srv_from=$REG_PORT
		invite_from $_r_srv 46000
		retry 15 got_invite "$T/$_r_id.out" $_r_srv_from
		# unregister; then the registrar's request must not get in
		kill -USR1 "$ALICE_PID"
		_r_unreg=ok
		retry 75 grep -q '^unregister 200' "$T/$_r_id.out" || _r_unreg=""
		reg_port; _r_unreg_from=$REG_PORT
		[ -z "$_r_unreg" ] || invite_from $_r_srv 46200
		sleep 1
		alice_stop $_r_id
		sip_events_stop
		if [ "$2" = ok ]; then
			check "$_r_what: an INVITE from the registrar's address (another port) reaches alice's Contact" \
				got_invite "$T/$_r_id.out" $_r_srv_from
		else
			check_fails "$_r_what: an INVITE from the registrar's address (another port) must not reach alice" \
				got_invite "$T/$_r_id.out" $_r_srv_from
		fi
		check_fails "$_r_what: an INVITE from a host that is not the registrar must not reach alice" \
			got_invite "$T/$_r_id.out" $_r_other_from
		if [ $_r_nat = snat ]; then
			# sent to the firewall's own address, the forged INVITE is
			# a SIP message to the firewall host: both helpers open its
			# media there (to the sender), never towards alice
			check_fails "$_r_what: the forged INVITE's SDP opens no media to alice" \
				sh -c "grep -a NEW '$T/events' | grep 'dport=46100 ' | grep -q 'dst=$_r_cli '"
		else
			check_fails "$_r_what: the forged INVITE's SDP opens no media" \
				sip_expected_port 46100
		fi
		check "$_r_what: alice unregisters through the firewall" test -n "$_r_unreg"
		if [ "$1" = cthelperd ] && [ "$(cthelperd_counter flushes_lost)" != 0 ]; then
			skip "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" \
				"this kernel has no NFQA_EXP_FLUSH: cthelperd's removal of the REGISTER's expectation was not sent (flushes_lost $(cthelperd_counter flushes_lost))"
			continue
		fi
		if [ "$1" = nf_conntrack_sip ] && [ $SIP_TR = tcp ] && [ $_r_nat = snat ]; then
			# shown, the kernel's known behaviour: nf_nat_sip leaves
			# the unregistration's Contact (port 5060, not the
			# connection's) at alice's own address
			if got_invite "$T/$_r_id.out" $_r_unreg_from; then
				diag "$_r_what: after Expires: 0 an INVITE from the registrar still reached alice"
			else
				diag "$_r_what: after Expires: 0 an INVITE from the registrar did not reach alice"
			fi
			continue
		fi
		check_fails "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" \
			got_invite "$T/$_r_id.out" $_r_unreg_from
	done
	sip_nat "$F" none
	nsx "$F" conntrack -F >/dev/null 2>&1
}

for _nat in $SIP_NATS; do registrations "no helper" none "4 6" $_nat; done
sip_unassign "$F"

if sip_kernel_load; then
	sip_assign "$F" sip $SIP_TR
	for _nat in $SIP_NATS; do registrations nf_conntrack_sip ok "4 6" $_nat; done
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip: the same registrations" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	if ! sip_cthd_has register; then
		skip "cthelperd: the same registrations" "$SIP_MISSING"
	elif [ "$SIP_TR" = tcp ] && ! sip_cthd_has tcp; then
		skip "cthelperd: the same registrations" "$SIP_MISSING"
	else
		for _nat in $SIP_NATS; do registrations cthelperd ok "4 6" $_nat; done
		# a REGISTER's expectation per family
		cthelperd_check_stats 2
	fi
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same registrations" "$SIP_MISSING"
fi
sip_done
