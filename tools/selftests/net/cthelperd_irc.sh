#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IRC DCC end to end through cthelperd behind a firewall that lets in only
# NEW to TCP port 6667 plus ESTABLISHED,RELATED: ngircd on the server side,
# a scripted client (tests/vm/dcc_client.py, irssi's DCC SEND format) on the
# client side offers a file to a second client on the server side, which
# connects back to the announced address and port; only the helper's
# expectation lets that connection in. IPv4 (decimal address) and IPv6 (an
# address literal, as irssi sends it), without NAT and with the client
# SNATed by the firewall (the helper rewrites the offer). Without the
# helper the connection must fail, and so must a forged offer (an address
# that is not the sender's: CVE-2022-2663's class), with the helper. The
# in-kernel nf_conntrack_irc + nf_nat_irc (IPv4 only) run the same cases as
# the reference when this kernel has them.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft ngircd /usr/bin/python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
DCC="/usr/bin/python3 $REPO/tools/cthelperd/tests/vm/dcc_client.py"
# a second host's address on the client side, for the forged offer
CLI4B=10.0.1.3
ip -n "$C" addr add $CLI4B/24 dev eth0

chmod 755 "$T"
cat >"$T/ngircd.conf" <<-NGIRCD
[Global]
	Name = irc.test
	Info = selftest
	AdminInfo1 = selftest
	AdminInfo2 = selftest
	AdminEMail = root@irc.test
	Listen = 0.0.0.0,::
	Ports = 6667
	MotdPhrase = selftest
	ServerUID = nobody
	ServerGID = nogroup
[Limits]
	MaxConnectionsIP = 0
[Options]
	DNS = no
	Ident = no
	PAM = no
NGIRCD
spawn "$S" ngircd --nodaemon --config "$T/ngircd.conf" >"$T/ngircd.log" 2>&1
wait_port "$S" 6667 || skip_all "ngircd does not start"
head -c 50000 /dev/urandom >"$T/file"
chmod 644 "$T/file"

# dcc SERVER MYADDR [CONNECT_TO [PORT]]: bob (on the server side) waits for
# an offer, alice (on the client side) offers $T/file with the address
# MYADDR (listening on every address, on PORT or a free port); bob connects
# to that address (or to CONNECT_TO); succeeds when bob got the file.
N=0
dcc() {
	N=$((N + 1))
	rm -f "$T/got" "$T/ready"
	spawn "$S" $DCC receive "$1" "bob$N" "$T/got" "$T/ready" ${3:-}
	_bob=$!
	retry 50 test -e "$T/ready" || { stop $_bob; return 1; }
	nsx "$C" $DCC offer "$1" "alice$N" "bob$N" "$2" "$T/file" ${4:-}
	_rc=$?
	wait $_bob
	_brc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $_bob\b//")
	[ $_rc -eq 0 ] && [ $_brc -eq 0 ] && cmp -s "$T/got" "$T/file"
}

# offers WHO FAMILIES: IPv4 (and IPv6 with FAMILIES 46), then SNAT
offers() {
	fw_reset
	fw_filter_service "$F" tcp 6667
	helper_assign_service "$F" irc tcp 6667 "$2"
	check "$1 IPv4: DCC SEND" dcc $SRV4 $CLI4
	# a helper that took it would expect the client's own address, as the
	# kernel's does (the expectation's address is the conntrack's)
	check_fails "$1 IPv4: a forged offer (another host's address) opens nothing" \
		dcc $SRV4 $CLI4B $CLI4
	# cthelperd refuses ports below 1024; nf_conntrack_irc only port 0:
	# its line records what it does
	if [ "$1" = nf_conntrack_irc ]; then
		check "$1 IPv4: an offer of a privileged port (1000) is let through (it refuses only port 0)" \
			dcc $SRV4 $CLI4 "" 1000
	else
		check_fails "$1 IPv4: an offer of a privileged port (1000) opens nothing" \
			dcc $SRV4 $CLI4 "" 1000
	fi
	case $2 in *6*) check "$1 IPv6: DCC SEND" dcc $SRV6 $CLI6 ;; esac
	nsx "$F" conntrack -F >/dev/null 2>&1
	fw_nat "$F" snat
	check "$1 IPv4 SNAT: DCC SEND (the offer rewritten)" dcc $SRV4 $CLI4
	case $2 in *6*) check "$1 IPv6 SNAT: DCC SEND (the offer rewritten)" dcc $SRV6 $CLI6 ;; esac
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the DCC connection is dropped
fw_filter_service "$F" tcp 6667
check_fails "no helper IPv4: DCC SEND must fail" dcc $SRV4 $CLI4
check_fails "no helper IPv6: DCC SEND must fail" dcc $SRV6 $CLI6
fw_reset

cthelperd_start "$F" --helper irc --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables irc for inet and inet6"
cthelperd_check_listed "$F" irc 6 24
offers cthelperd 46
cthelperd_check_stats 4 2
cthelperd_finish
kernel_reference "nf_conntrack_irc nf_nat_irc" offers nf_conntrack_irc 4
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
