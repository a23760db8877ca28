# SPDX-License-Identifier: GPL-2.0
# The body of sip_register.sh and sip_register_tcp.sh (one test per
# transport, to stay well inside the VM's time per test), with $SIP_TR udp
# or tcp: REGISTER through a stateful firewall that lets in only NEW to
# port 5060 from the client side. The helper's expectation for the
# registered Contact is what lets a later request from the registrar (from
# a port of its own, not the registration's conntrack; over TCP a
# connection of its own) reach alice; a host that is not the registrar
# cannot use it (sip_direct_signalling), nor open media with the SDP of its
# forged INVITE; unregistering (Expires: 0, on the registration's socket or
# connection) closes it again. IPv4 and IPv6; no helper, nf_conntrack_sip as
# the reference, then cthelperd (the unregistration skipped on a kernel
# that cannot take cthelperd's removal of an expectation).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# a new source port for every request the registrar's side sends: no
# conntrack (nor TCP TIME_WAIT) of an earlier case can carry it
REG_PORT=5100
reg_port() { REG_PORT=$((REG_PORT + 1)); }

# invite_from SRC MEDIA_PORT: a hand-made INVITE from SRC (port
# $REG_PORT) to alice's Contact, announcing media at MEDIA_PORT
invite_from() {
	sip_invite_text $1 $_r_cli $1 $2 $SIP_TR | sip_send "$S" $1 $REG_PORT $_r_cli $SIP_TR
}

# alice_stop NAME: alice stops listening; her log as diagnostics
alice_stop() {
	kill -USR2 "$ALICE_PID" 2>/dev/null
	wait "$ALICE_PID"
	PIDS=$(echo "$PIDS" | sed "s/ $ALICE_PID\b//")
	sed "s/^/# $1: /" "$T/$1.out"
}

# registrations WHO ok|none FAMILIES: per family, alice registers (her
# Contact: port 5060 of $SIP_TR) and listens: a request from the registrar's
# address reaches her (ok) or not (none); never one from another host, nor
# an expectation for its SDP; after she unregistered, none at all (for
# cthelperd skipped when this kernel could not take its flush).
registrations() {
	for _r_fam in $3; do
		eval _r_cli=\$CLI$_r_fam _r_srv=\$SRV$_r_fam _r_other=\$SRV${_r_fam}_OTHER
		_r_id=$(echo "$1" | tr ' ' -)-reg-$SIP_TR$_r_fam
		_r_what="$1 IPv$_r_fam $SIP_TR"
		sip_events_start "$F"
		spawn "$C" $UA uac --local $_r_cli --proxy $_r_srv --transport $SIP_TR \
			--register --expires 300 --listen 120 >"$T/$_r_id.out" 2>&1
		ALICE_PID=$!
		if ! retry 75 grep -q '^register 200' "$T/$_r_id.out"; then
			not_ok "$_r_what: alice registers through the firewall"
			alice_stop $_r_id
			sip_events_stop
			continue
		fi
		# the forged one first: once the registrar's has arrived, so
		# would have the forged one
		reg_port; _r_other_from="$(sip_host $_r_other):$REG_PORT"
		invite_from $_r_other 46100
		reg_port; _r_srv_from="$(sip_host $_r_srv):$REG_PORT"
		invite_from $_r_srv 46000
		retry 15 grep -qF "received INVITE from $_r_srv_from" "$T/$_r_id.out"
		# unregister; then the registrar's request must not get in
		kill -USR1 "$ALICE_PID"
		_r_unreg=ok
		retry 75 grep -q '^unregister 200' "$T/$_r_id.out" || _r_unreg=""
		reg_port; _r_unreg_from="$(sip_host $_r_srv):$REG_PORT"
		[ -z "$_r_unreg" ] || invite_from $_r_srv 46200
		sleep 1
		alice_stop $_r_id
		sip_events_stop
		if [ "$2" = ok ]; then
			check "$_r_what: an INVITE from the registrar's address (another port) reaches alice's Contact" \
				grep -qF "received INVITE from $_r_srv_from" "$T/$_r_id.out"
		else
			check_fails "$_r_what: an INVITE from the registrar's address (another port) must not reach alice" \
				grep -qF "received INVITE from $_r_srv_from" "$T/$_r_id.out"
		fi
		check_fails "$_r_what: an INVITE from a host that is not the registrar must not reach alice" \
			grep -qF "received INVITE from $_r_other_from" "$T/$_r_id.out"
		check_fails "$_r_what: the forged INVITE's SDP opens no media" sip_expected_port 46100
		check "$_r_what: alice unregisters through the firewall" test -n "$_r_unreg"
		if [ "$1" = cthelperd ] && [ "$(cthelperd_counter flushes_lost)" != 0 ]; then
			skip "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" \
				"this kernel has no NFQA_EXP_FLUSH: cthelperd's removal of the REGISTER's expectation was not sent (flushes_lost $(cthelperd_counter flushes_lost))"
			continue
		fi
		check_fails "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" \
			grep -qF "received INVITE from $_r_unreg_from" "$T/$_r_id.out"
	done
}

registrations "no helper" none "4 6"
sip_unassign "$F"

if sip_kernel_load; then
	sip_assign "$F" sip $SIP_TR
	registrations nf_conntrack_sip ok "4 6"
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
		registrations cthelperd ok "4 6"
		# a REGISTER's expectation per family
		cthelperd_check_stats 2
	fi
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same registrations" "$SIP_MISSING"
fi
sip_done
