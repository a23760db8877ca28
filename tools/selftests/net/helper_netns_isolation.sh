#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# User-space helpers are per network namespace: two firewalls register
# their own ftp helper on different queues, each lists only its own, a
# namespace cannot reference another's helper in iptables/nft rules, FTP
# through one firewall is helped by its own daemon only, and deleting a
# namespace frees its helpers (with rules, daemon and conntracks still
# using them) without disturbing the other one.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct vsftpd curl nft
F2=fw2-$$ F3=fw3-$$
topo_setup
netns_add "$F2" && netns_add "$F3" || skip_all "cannot create namespaces"
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

nsx "$F" nfct add helper ftp inet tcp
if helpers_of "$F2" | grep -q ftp; then
	nsx "$F" nfct flush helper
	skip_all "helpers are global in this kernel, not per network namespace"
fi
nsx "$F" nfct flush helper

ftp_server_start "$S" || skip_all "vsftpd does not start"
fw_filter "$F" iptables

nfq_helper_start "$F" -q 1 || skip_all "nfq_test_helper does not start"
LOG1=$NFQ_LOG PID1=$NFQ_PID
nfq_helper_start "$F2" -q 2 || skip_all "nfq_test_helper does not start"
LOG2=$NFQ_LOG PID2=$NFQ_PID

# only_queue NS Q: every helper NS lists is on queue Q, and there is one.
only_queue() {
	helpers_of "$1" >"$T/h"
	grep -q "queuenum = $2," "$T/h" && ! grep -v "queuenum = $2," "$T/h" | grep -q name
}
check "firewall 1 lists only its own helpers, on queue 1" only_queue "$F" 1
check "firewall 2 lists only its own helpers, on queue 2" only_queue "$F2" 2
check "a third namespace lists none" \
	sh -c "! ip netns exec $F3 nfct list helper | grep -q name"
# Where nf_conntrack_ftp is a module, these rules autoload it: they may
# get the in-kernel ftp (global), never another namespace's.
# no_other_ftp NAME CMD...: CMD is refused, or succeeds with the in-kernel
# ftp loaded.
no_other_ftp() {
	_name=$1; shift
	if ! "$@" 2>"$T/err"; then
		ok "$_name: refused"
	elif [ -d /sys/module/nf_conntrack_ftp ]; then
		ok "$_name: the in-kernel ftp"
	else
		not_ok "$_name" "accepted without the in-kernel ftp"
	fi
}
no_other_ftp "iptables CT --helper ftp where this namespace has no ftp helper" \
	nsx "$F3" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
nsx "$F3" nft add table ip t
no_other_ftp "nft ct helper object of type ftp where this namespace has none" \
	nsx "$F3" nft add ct helper ip t h '{ type "ftp" protocol tcp; }'
nsx "$F3" iptables -t raw -F
nsx "$F3" nft flush ruleset
# The in-kernel ftp would own the name for new registrations.
modprobe -q -r nf_nat_ftp nf_conntrack_ftp 2>/dev/null

helper_assign "$F" iptables PREROUTING
helper_assign "$F2" nft PREROUTING
check "FTP through firewall 1 (PASV)" ftp_pasv "$C" $SRV4
check "firewall 1's daemon made the expectation" grep -q '^expect' "$LOG1"
check "firewall 2's daemon saw nothing" sh -c "! grep -q '^expect' '$LOG2'"

# Firewall 2 goes away with its helper in use by a rule and a daemon.
kill "$PID2"
ip netns del "$F2"
NETNS_CREATED=$(echo "$NETNS_CREATED" | sed "s/ $F2\b//")
sleep 1
check "firewall 1 keeps its helpers" only_queue "$F" 1
check "FTP through firewall 1 after the other namespace is gone" \
	ftp_pasv "$C" $SRV4
netns_add "$F2"
check "a new namespace of the same name starts without helpers" \
	sh -c "! ip netns exec $F2 nfct list helper | grep -q name"
check "and can register ftp itself" nsx "$F2" nfct add helper ftp inet tcp

tap_done
