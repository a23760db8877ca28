# SPDX-License-Identifier: GPL-2.0
# SIP helpers for the VM selftests (sourced after tools/selftests/lib.sh and
# tools/cthelperd/tests/vm/lib_cthelperd.sh).
#
# Topology: lib.sh's client ($C: alice, tools/selftests/progs/sip_ua.py),
# firewall ($F) and server ($S: kamailio as registrar and proxy on port
# 5060, UDP and TCP, IPv4 and IPv6, and bob, a scripted callee registered
# with it from $SRV4:5070). A call goes alice -> kamailio -> bob; its media
# flows alice <-> bob through the firewall, from ports other than the
# announced ones, so that each direction needs its own expectation.
#
# sip_setup                 topology, kamailio, bob, the firewall (sip_fw);
#                           skip_all when something is missing
# sip_fw NS                 the stateful firewall: NEW only from the client
#                           side to port 5060 (UDP, TCP), ESTABLISHED,RELATED
# sip_nat NS none|snat|dnat the firewall's NAT of port 5060
# sip_assign NS HELPER [PROTOS]  CT --helper HELPER on PROTOS to port 5060
# sip_call ID LOCAL PROXY TRANSPORT [UA ARGS...]
#                           one call by alice; $T/ID.out holds what she saw
# sip_media_ok ID           both directions of media of call ID arrived
# sip_media_none ID         no media of call ID arrived either way
# sip_kernel_load, sip_kernel_unload NS: nf_conntrack_sip + nf_nat_sip
# sip_cthd_has FEATURE, sip_cthd_start NS, sip_cthd_stop NS: cthelperd
# sip_events_start NS, sip_events_stop: conntrack -E expect in $T/events
# sip_done                  logs when a case failed, then tap_done

UA="/usr/bin/python3 $REPO/tools/selftests/progs/sip_ua.py"
BOB_LOG=$T/bob.log
# third parties: a second host on each side
CLI4_OTHER=10.0.1.3 CLI6_OTHER=dead:1::3
SRV4_OTHER=10.0.2.3 SRV6_OTHER=dead:2::3

sip_setup() {
	require nfct conntrack nft socat
	command -v kamailio >/dev/null || skip_all "kamailio not installed"
	[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
	topo_setup
	nsx "$C" ip addr add $CLI4_OTHER/24 dev eth0 &&
	nsx "$C" ip addr add $CLI6_OTHER/64 dev eth0 nodad &&
	nsx "$S" ip addr add $SRV4_OTHER/24 dev eth0 &&
	nsx "$S" ip addr add $SRV6_OTHER/64 dev eth0 nodad ||
		skip_all "cannot add the third parties' addresses"
	kamailio_start || skip_all "kamailio does not start"
	spawn "$S" $UA uas --local $SRV4 --registrar $SRV4 --media4 $SRV4 \
		--media6 $SRV6 --log "$BOB_LOG"
	retry 100 grep -qs '^ready' "$BOB_LOG" || {
		sed 's/^/# bob: /' "$BOB_LOG"
		skip_all "bob does not register with kamailio"
	}
	sip_fw "$F"
}

# kamailio_start: registrar (usrloc in memory, any domain) and stateful
# proxy (no Record-Route: in-dialog requests come through it too, as the
# UA sends everything to its outbound proxy).
kamailio_start() {
	mkdir -p "$T/kamailio"
	cat >"$T/kamailio.cfg" <<-KAM
	#!KAMAILIO
	debug=2
	log_stderror=yes
	children=2
	tcp_children=2
	auto_aliases=no
	listen=udp:$SRV4:5060
	listen=tcp:$SRV4:5060
	listen=udp:[$SRV6]:5060
	listen=tcp:[$SRV6]:5060
	loadmodule "tm.so"
	loadmodule "sl.so"
	loadmodule "pv.so"
	loadmodule "maxfwd.so"
	loadmodule "textops.so"
	loadmodule "siputils.so"
	loadmodule "usrloc.so"
	loadmodule "registrar.so"
	loadmodule "xlog.so"
	loadmodule "kex.so"
	modparam("usrloc", "db_mode", 0)
	request_route {
		xlog("L_NOTICE", "sip: \$rm \$ru from \$si:\$sp \$pr\n");
		if (!mf_process_maxfwd_header("10")) {
			sl_send_reply("483", "Too Many Hops");
			exit;
		}
		if (is_method("REGISTER")) {
			save("location");
			exit;
		}
		if (is_method("INVITE") && !has_totag()) {
			if (!lookup("location")) {
				sl_send_reply("404", "Not Found");
				exit;
			}
		}
		if (!t_relay())
			sl_reply_error();
	}
	KAM
	KAM_LOG=$T/kamailio.log
	ip netns exec "$S" kamailio -f "$T/kamailio.cfg" -DD -E -m 32 -M 4 \
		-Y "$T/kamailio" -P "$T/kamailio/pid" >"$KAM_LOG" 2>&1 &
	PIDS="$PIDS $!"
	retry 100 sh -c "ip netns exec $S ss -Htln 'sport = :5060' | grep -q ." || {
		sed 's/^/# kamailio: /' "$KAM_LOG" | tail -n 20
		return 1
	}
}

# sip_fw NS: NEW to 5060 only from the client side; everything else
# ESTABLISHED,RELATED. An incoming call must ride the REGISTER expectation.
sip_fw() {
	nsx "$1" nft flush ruleset
	nsx "$1" nft -f - <<-NFT
	table inet filter {
		chain forward {
			type filter hook forward priority 0; policy drop;
			ct state established,related accept
			iifname cli0 udp dport 5060 ct state new accept
			iifname cli0 tcp dport 5060 ct state new accept
		}
	}
	NFT
}

# sip_nat NS none|snat|dnat: lib.sh's fw_nat, for port 5060 of UDP and TCP
sip_nat() {
	nsx "$1" nft delete table inet nat 2>/dev/null
	case $2 in
	snat) fw_nat "$1" snat ;;
	dnat)
		nsx "$1" nft -f - <<-NFT
		table inet nat {
			chain pre {
				type nat hook prerouting priority -100;
				ip daddr $FWC4 meta l4proto { tcp, udp } th dport 5060 dnat ip to $SRV4
				ip6 daddr $FWC6 meta l4proto { tcp, udp } th dport 5060 dnat ip6 to $SRV6
			}
			chain post {
				type nat hook postrouting priority 100;
			}
		}
		NFT
		;;
	esac
}

# sip_assign NS HELPER [PROTOS]: HELPER on connections to port 5060 of the
# given protocols ("udp tcp" by default), IPv4 and IPv6, in raw.
sip_assign() {
	for _p in ${3:-udp tcp}; do
		for _ipt in iptables ip6tables; do
			nsx "$1" $_ipt -t raw -A PREROUTING -p $_p --dport 5060 -j CT --helper "$2" || return 1
		done
	done
}

# sip_unassign NS: no helper rules, no conntracks (nor their expectations)
sip_unassign() {
	for _ipt in iptables ip6tables; do nsx "$1" $_ipt -t raw -F; done
	nsx "$1" conntrack -F >/dev/null 2>&1
	nsx "$1" conntrack -F expect >/dev/null 2>&1
}

# sip_call NAME LOCAL PROXY TRANSPORT [UA ARGS...]: alice (bound to LOCAL)
# calls bob through the proxy at PROXY, call-ID NAME; fails when the call
# is not set up (the media are judged by sip_media_*).
ALICE_PORT=40000
sip_call() {
	# names of their own: retry and check use _n and _name
	_sc_id=$1 _sc_local=$2 _sc_proxy=$3 _sc_tr=$4; shift 4
	# a new media port for every call: no conntrack of an earlier call
	# can carry this one's media
	ALICE_PORT=$((ALICE_PORT + 2))
	nsx "$C" $UA uac --local "$_sc_local" --proxy "$_sc_proxy" \
		--transport "$_sc_tr" --to bob --call-id "$_sc_id" --media-time 4 \
		--media-port $ALICE_PORT "$@" >"$T/$_sc_id.out" 2>&1
	_sc_rc=$?
	sed "s/^/# $_sc_id: /" "$T/$_sc_id.out"
	# bob logs a call when its BYE arrived
	[ $_sc_rc -ne 0 ] || retry 50 grep -q "^call $_sc_id " "$BOB_LOG"
	grep "^call $_sc_id \|^invite $_sc_id " "$BOB_LOG" | sed "s/^/# bob: /"
	return $_sc_rc
}

sip_alice_got() { grep -q "^media-in rtp=$2 rtcp=$2" "$T/$1.out"; }
sip_bob_got() {
	if [ "$2" = 1 ]; then
		grep "^call $1 " "$BOB_LOG" | grep -Eq 'rtp=[1-9][0-9]* rtcp=[1-9]'
	else
		grep "^call $1 " "$BOB_LOG" | grep -q 'rtp=0 rtcp=0'
	fi
}
sip_media_ok() { sip_alice_got "$1" 1 && sip_bob_got "$1" 1; }
sip_media_none() { sip_alice_got "$1" 0 && sip_bob_got "$1" 0; }

# sip_cthd_has FEATURE: cthelperd's sip helper has FEATURE (helper, tcp,
# nat, register); else false with the reason in $SIP_MISSING. Decided from
# the tree under test, as kernel_src_has does for the kernel (the markers
# are agreed with the helper's author: see the sip helper's sources).
sip_cthd_has() {
	_src="$REPO/tools/cthelperd/helpers"
	case $1 in
	helper)	"$CTHD" --list-helpers 2>/dev/null | grep -q '^sip ' && return 0
		SIP_MISSING="cthelperd has no sip helper (issue 12 not landed)" ;;
	tcp)	"$CTHD" --list-helpers 2>/dev/null | grep -q '^sip-tcp ' && return 0
		SIP_MISSING="cthelperd's sip helper has no SIP over TCP yet" ;;
	nat)	grep -qs cthd_result_add_mangle "$_src"/sip*.c "$_src"/sip/*.c && return 0
		SIP_MISSING="cthelperd's sip helper has no NAT rewrite yet" ;;
	register)
		grep -Eqs 'SIP_EXPECT_SIGNALLING|sip_expect_register' "$_src"/sip*.c "$_src"/sip/*.c &&
			return 0
		SIP_MISSING="cthelperd's sip helper has no REGISTER expectation yet" ;;
	esac
	return 1
}

# sip_cthd_start NS [ARGS...]: cthelperd serving sip, and sip-tcp when it
# has it (registered by itself; more cthelperd ARGS; each --option NAME=V
# given to both helpers), assigned to UDP and TCP port 5060. False with the
# reason in $SIP_MISSING when it has no sip helper or does not start.
sip_cthd_start() {
	_cs_ns=$1; shift
	sip_cthd_has helper || return 1
	# an --option belongs to the --helper before it: repeat it for each
	_cs_opts="" _cs_args=""
	while [ $# -gt 0 ]; do
		case $1 in
		--option) _cs_opts="$_cs_opts --option $2"; shift 2 ;;
		*) _cs_args="$_cs_args $1"; shift ;;
		esac
	done
	# SIP over TCP is a helper of its own, sip-tcp
	_cs_tcp=""
	sip_cthd_has tcp && _cs_tcp="--helper sip-tcp --queue 1 $_cs_opts"
	if ! cthelperd_start "$_cs_ns" --helper sip $_cs_opts $_cs_tcp --register $_cs_args; then
		SIP_MISSING="cthelperd --helper sip $_cs_tcp does not start"
		not_ok "cthelperd starts with the sip helper"
		return 1
	fi
	SIP_PROTOS=udp
	sip_assign "$_cs_ns" sip udp
	[ -z "$_cs_tcp" ] || { SIP_PROTOS="udp tcp"; sip_assign "$_cs_ns" sip-tcp tcp; }
}

# sip_kernel_load: nf_conntrack_sip + nf_nat_sip; false with the reason in
# $SIP_MISSING
sip_kernel_load() {
	SIP_MISSING=$(kernel_helper_modules nf_conntrack_sip nf_nat_sip)
}

# sip_kernel_unload NS: rules, conntracks, then the modules
sip_kernel_unload() {
	sip_unassign "$1"
	retry 25 rmmod nf_nat_sip 2>/dev/null
	retry 25 rmmod nf_conntrack_sip 2>/dev/null
}

# sip_events_start NS / sip_events_stop: conntrack -E expect into $T/events
sip_events_start() {
	nsx "$1" conntrack -E expect >"$T/events" 2>&1 &
	SIP_EVENTS=$!
	PIDS="$PIDS $SIP_EVENTS"
	sleep 0.5
}
sip_events_stop() {
	sleep 0.5
	stop "$SIP_EVENTS"
}

# sip_invite_text FROM_ADDR TO_ADDR MEDIA_ADDR MEDIA_PORT [TRANSPORT]: an
# INVITE with an SDP offer, as a hand-made request from FROM_ADDR (CRLF line
# ends; its Via says TRANSPORT, udp by default)
sip_invite_text() {
	case $3 in *:*) _it_ip=IP6 ;; *) _it_ip=IP4 ;; esac
	_it_tr=$(echo "${5:-udp}" | tr a-z A-Z)
	_it_sdp=$(printf 'v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\n' \
		$_it_ip "$3" $_it_ip "$3" "$4")
	printf 'INVITE sip:alice@%s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=z9hG4bKforged%s\r\nMax-Forwards: 70\r\nFrom: <sip:mallory@%s>;tag=1\r\nTo: <sip:alice@%s>\r\nCall-ID: forged-%s\r\nCSeq: 1 INVITE\r\nContact: <sip:mallory@%s>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s\r\n' \
		"$(sip_host "$2")" $_it_tr "$(sip_host "$1")" "$4" "$(sip_host "$1")" \
		"$(sip_host "$2")" "$4" "$(sip_host "$1")" $((${#_it_sdp} + 2)) "$_it_sdp"
}

sip_host() {
	case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# sip_send NS SRC SRC_PORT DST [TRANSPORT]: the message on stdin from
# SRC:SRC_PORT to DST:5060, as a datagram or (tcp) on a new connection that
# gives up after 2 s without an answer to its SYN (socat: a python start
# costs a second in the VM)
sip_send() {
	case $4 in
	*:*)	_ss_v=6 _ss_src="[$2]" _ss_dst="[$4]" ;;
	*)	_ss_v=4 _ss_src=$2 _ss_dst=$4 ;;
	esac
	case ${5:-udp} in
	tcp)	nsx "$1" socat -u STDIN "TCP$_ss_v:$_ss_dst:5060,bind=$_ss_src:$3,connect-timeout=2" 2>/dev/null ;;
	*)	nsx "$1" socat -u STDIN "UDP$_ss_v-SENDTO:$_ss_dst:5060,bind=$_ss_src:$3" ;;
	esac
}

# sip_expected_port PORT: an expectation to PORT was in $T/events
sip_expected_port() {
	grep -a NEW "$T/events" | grep -q "dport=$1 "
}

# sip_cthd_stop NS: no helper rules nor conntracks, SIGTERM; one TAP line:
# cthelperd exits 0
sip_cthd_stop() {
	sip_unassign "$1"
	cthelperd_stop
	check "SIGTERM: cthelperd exits 0" test "$?" -eq 0
}

# sip_done: the end of kamailio's and cthelperd's logs when a case failed,
# then tap_done
sip_done() {
	if [ "$TAP_FAILED" -ne 0 ]; then
		sed 's/^/# kamailio: /' "$KAM_LOG" | tail -n 30
		[ -s "$CTHD_LOG" ] && sed 's/^/# cthelperd: /' "$CTHD_LOG" | tail -n 30
	fi
	tap_done
}
