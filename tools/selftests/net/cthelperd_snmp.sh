#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SNMP through cthelperd's snmp and snmp_trap helpers behind a firewall
# that lets in only NEW to UDP 161 and 162 plus ESTABLISHED,RELATED, with
# net-snmp (Debian's snmp, snmpd, snmptrapd) on both sides. What NAT does
# to the addresses inside the messages, as the manager sees them:
# - SNAT of the agent (client side) sending traps to snmptrapd (server
#   side): a v1 trap's agent-addr and an IpAddress varbind of v1 and v2c
#   traps must name the firewall's address, not the agent's inside one;
#   an inform must be answered;
# - DNAT of the agent (snmpd on the server side, reached at the firewall's
#   address): its own address in a response becomes the one asked;
# - SNMPv3 through SNAT must pass (authenticated: nothing to rewrite);
# - IPv6 with SNAT: a trap passes unchanged (IpAddress is IPv4 only).
# The in-kernel nf_conntrack_snmp + nf_nat_snmp_basic (IPv4 only) run the
# same cases as the reference, as measured: they drop SNMPv1 traps under
# NAT (their grammar has no Trap-PDU) and SNMPv3 (only versions 1 and 2c
# pass their parser), and leave a DNATed agent's address alone. Without a
# helper every address leaks untranslated.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft snmpd snmptrapd snmptrap snmpget snmpinform
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# no MIBs are installed (Debian ships them in non-free): numeric OIDs only
MIBS=
export MIBS
SNMP_PERSISTENT_DIR=$T/snmp
export SNMP_PERSISTENT_DIR
mkdir -p "$SNMP_PERSISTENT_DIR"
IPADENTADDR=.1.3.6.1.2.1.4.20.1.1
SYSUPTIME=.1.3.6.1.2.1.1.3.0
NOTIFICATION=.1.3.6.1.4.1.8072.2.3.0.1

cat >"$T/snmpd.conf" <<-EOF
	agentaddress udp:161,udp6:161
	rocommunity public default
	rocommunity6 public default
	createUser v3user SHA authpass123
	rouser v3user auth
EOF
spawn "$S" snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid"
cat >"$T/trapd.conf" <<-EOF
	authCommunity log,net public
	format1 V1 agent=%a vars=%v\n
	format2 V2 vars=%v\n
EOF
spawn "$S" snmptrapd -f -n -C -c "$T/trapd.conf" -Lf "$T/traps" udp:162,udp6:162
retry 50 sh -c "ip netns exec $S ss -Huln 'sport = :161' | grep -q . &&
	ip netns exec $S ss -Huln 'sport = :162' | grep -q ." ||
	skip_all "snmpd or snmptrapd does not start"

# snmptrapd writes its log without O_APPEND: rather than truncate it, read
# what came after a mark. new_traps PREFIX: wait for a PREFIX line after it.
trap_mark() {
	TRAP_MARK=$(wc -c <"$T/traps")
}

new_traps() {
	retry 40 sh -c "tail -c +$((TRAP_MARK + 1)) '$T/traps' | grep -q '^$1'" &&
		tail -c +$((TRAP_MARK + 1)) "$T/traps"
}

# trap_v1 SERVER AGENT_ADDR: snmptrap -v1 with agent-addr and an IpAddress
# varbind AGENT_ADDR; prints "agent=A value=V" as snmptrapd got it.
trap_v1() {
	trap_mark
	nsx "$C" snmptrap -v1 -c public "$1" .1.3.6.1.4.1.8072 "$2" 6 17 '' \
		$IPADENTADDR.$2 a "$2" || return 1
	_traps=$(new_traps V1) || return 1
	echo "$_traps" | sed -n 's/^V1 agent=\([^ ]*\) .*IpAddress: \([0-9.]*\).*/agent=\1 value=\2/p'
}

# trap_v2c SERVER ADDR: a v2c trap with the IpAddress varbind ADDR; prints
# "value=V" as snmptrapd got it.
trap_v2c() {
	trap_mark
	nsx "$C" snmptrap -v2c -c public "$1" '' $NOTIFICATION $IPADENTADDR.$2 a "$2" || return 1
	_traps=$(new_traps V2) || return 1
	echo "$_traps" | sed -n 's/^V2 .*IpAddress: \([0-9.]*\).*/value=\1/p'
}

# inform SERVER ADDR: a v2c inform, answered by snmptrapd; prints "value=V"
inform() {
	trap_mark
	nsx "$C" snmpinform -v2c -c public -t 3 -r 1 "$1" '' $NOTIFICATION \
		$IPADENTADDR.$2 a "$2" || return 1
	_traps=$(new_traps V2) || return 1
	echo "$_traps" | sed -n 's/^V2 .*IpAddress: \([0-9.]*\).*/value=\1/p'
}

# is WANT CMD...: CMD's output is exactly WANT
is() {
	_want=$1; shift
	_got=$("$@") || { echo "failed: $*"; return 1; }
	[ "$_got" = "$_want" ] || { echo "got '$_got', want '$_want'"; return 1; }
}

# the agent's own address, asked through DNAT
ipadentaddr() {
	nsx "$C" snmpget -v2c -c public -Oqv -t 3 -r 1 "$1" $IPADENTADDR.$SRV4
}

v3_get() {
	nsx "$C" snmpget -v3 -l authNoPriv -u v3user -a SHA -A authpass123 -Oqv -t 3 -r 1 \
		"$1" $SYSUPTIME
}

firewall() {
	fw_reset
	fw_filter_service "$F" udp 161
	fw_filter_service "$F" udp 162
}

snat() {
	fw_nat "$F" snat
}

dnat() {
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" nft -f - <<-NFT
	table inet nat {
		chain pre {
			type nat hook prerouting priority -100;
			ip daddr $FWC4 udp dport 161 dnat ip to $SRV4
		}
	}
	NFT
}

nat_off() {
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# cases WHO FAMILIES: the cases above with the helpers assigned to IPv4 and
# IPv6 (FAMILIES 46) or IPv4 only (4, the kernel's) or none (WHO "none").
cases() {
	firewall
	if [ "$1" != none ]; then
		helper_assign_service "$F" snmp udp 161 "$2"
		helper_assign_service "$F" snmp_trap udp 162 "$2"
	fi
	check "$1 IPv4 no NAT: v1 trap arrives as sent" \
		is "agent=$CLI4 value=$CLI4" trap_v1 $SRV4 $CLI4
	nat_off
	snat
	case $1 in
	cthelperd)
		check "$1 IPv4 SNAT: v1 trap's agent-addr and IpAddress are the firewall's" \
			is "agent=$FWS4 value=$FWS4" trap_v1 $SRV4 $CLI4
		check "$1 IPv4 SNAT: v2c trap's IpAddress is the firewall's" \
			is "value=$FWS4" trap_v2c $SRV4 $CLI4
		check "$1 IPv4 SNAT: v2c inform rewritten and answered" \
			is "value=$FWS4" inform $SRV4 $CLI4
		check "$1 IPv4 SNAT: a v2c trap naming another address keeps it" \
			is "value=10.0.1.77" trap_v2c $SRV4 10.0.1.77 ;;
	kernel)
		check_fails "$1 IPv4 SNAT: v1 trap dropped (nf_nat_snmp_basic's grammar has no Trap-PDU)" \
			trap_v1 $SRV4 $CLI4
		check "$1 IPv4 SNAT: v2c trap's IpAddress is the firewall's" \
			is "value=$FWS4" trap_v2c $SRV4 $CLI4
		check "$1 IPv4 SNAT: v2c inform rewritten and answered" \
			is "value=$FWS4" inform $SRV4 $CLI4 ;;
	none)
		check "$1 IPv4 SNAT: v1 trap leaks the inside address" \
			is "agent=$CLI4 value=$CLI4" trap_v1 $SRV4 $CLI4
		check "$1 IPv4 SNAT: v2c trap leaks the inside address" \
			is "value=$CLI4" trap_v2c $SRV4 $CLI4 ;;
	esac
	if [ "$1" = kernel ]; then
		check_fails "$1 IPv4 SNAT: SNMPv3 get dropped (nf_nat_snmp_basic parses v1/v2c only)" \
			v3_get $SRV4
	else
		check "$1 IPv4 SNAT: SNMPv3 get answered" v3_get $SRV4
	fi
	if [ "$2" = 46 ] || [ "$1" = none ]; then
		check "$1 IPv6 SNAT: v2c trap passes, its IPv4 IpAddress unchanged" \
			is "value=$CLI4" trap_v2c "udp6:[$SRV6]:162" $CLI4
	fi
	nat_off
	dnat
	if [ "$1" = cthelperd ]; then
		check "$1 IPv4 DNAT: the agent's own address is the one asked" \
			is "$FWC4" ipadentaddr $FWC4
	else
		check "$1 IPv4 DNAT: the agent's inside address leaks" \
			is "$SRV4" ipadentaddr $FWC4
	fi
	nat_off
	fw_reset
}

cases none

cthelperd_start "$F" --helper snmp --queue 1 --helper snmp_trap --queue 2 --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables snmp and snmp_trap for inet and inet6"
cthelperd_check_listed "$F" snmp 17 0
cthelperd_check_listed "$F" snmp_trap 17 0
cases cthelperd 46
check "stats: 4 rewritten messages or more (3 traps, 1 response), no error" sh -c "
	[ \$('$CTHD' --stats --json --control '$CTHD_CTL' |
		grep -o '\"mangled\":[0-9]*' | awk -F: '{ s += \$2 } END { print s + 0 }') -ge 4 ] &&
	[ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
	[ '$(cthelperd_counter kernel_errors)' = 0 ]"
cthelperd_stats | sed 's/^/# /'
cthelperd_finish
kernel_reference "nf_conntrack_snmp nf_nat_snmp_basic" cases kernel 4
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
