#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian's nfct (conntrack-tools 1.4.7) against our NFNL_SUBSYS_CTHELPER:
# add/get/list/disable/delete/flush behave as documented, and an in-kernel
# ftp helper owns its name (EBUSY).
. "${REPO:-.}/tools/selftests/lib.sh"

require nfct
netns_add "$F" || skip_all "cannot create a netns"
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# list_has PATTERN: a helper of nfct list helper matches PATTERN (regex).
list_has() {
	helpers_of "$F" | grep -Eq -- "$1"
}

# helpers N: nfct lists N helpers.
helpers() {
	[ "$(helpers_of "$F" | grep -c name)" -eq "$1" ]
}

check "add helper ftp inet tcp" nsx "$F" nfct add helper ftp inet tcp
check "list shows ftp, IPv4 TCP, queue 0" \
	list_has '\.name = ftp,.*\.queuenum = 0,.*\.l3protonum = 2,.*\.l4protonum = 6'
check "new helper is disabled" list_has '\.name = ftp,.*\.status = disabled'
check "private data length of nfct's ftp (24)" list_has '\.name = ftp,.*\.priv_data_len = 24,'
check "add again updates in place" nsx "$F" nfct add helper ftp inet tcp
check "add helper ftp inet6 tcp" nsx "$F" nfct add helper ftp inet6 tcp
check "list shows both families" helpers 2
check "get helper ftp inet tcp" \
	sh -c "ip netns exec $F nfct get helper ftp inet tcp | grep -q 'l3protonum = 2'"
if nsx "$F" nfct get helper nosuch >/dev/null 2>&1; then
	not_ok "get of an unknown helper fails"
else
	ok "get of an unknown helper fails"
fi

check "enable (as conntrackd does)" \
	nsx "$F" "$SELFTESTS_BIN/cthelper_bad_input" status ftp 2 6 1
check "list shows it enabled" list_has '\.l3protonum = 2,.*\.status = enabled'
check "disable helper ftp inet tcp" nsx "$F" nfct disable helper ftp inet tcp
check "list shows it disabled" list_has '\.l3protonum = 2,.*\.status = disabled'

check "delete helper ftp inet tcp" nsx "$F" nfct delete helper ftp inet tcp
check "only the IPv6 one is left" list_has '^[^}]*\.l3protonum = 10,'
check "... and only it" helpers 1
nsx "$F" nfct add helper ftp inet tcp
nsx "$F" nfct add helper tftp inet udp
check "flush helper" nsx "$F" nfct flush helper
check "list is empty after flush" helpers 0

# The in-kernel ftp helper is global: nobody may take its name.
mod=$LINUX/net/netfilter/nf_conntrack_ftp.ko
if [ ! -e "$mod" ] || grep -q '^nf_conntrack_ftp ' /proc/modules; then
	skip "add fails with EBUSY while nf_conntrack_ftp is loaded" \
		"no nf_conntrack_ftp module to load"
elif insmod "$mod"; then
	nsx "$F" nfct add helper ftp inet tcp >"$T/add" 2>&1
	if grep -qi "busy" "$T/add"; then
		ok "nfct add fails with EBUSY while nf_conntrack_ftp is loaded"
	else
		not_ok "nfct add fails with EBUSY while nf_conntrack_ftp is loaded" \
			"nfct said: $(cat "$T/add")"
	fi
	check "raw NEW ftp inet6 tcp: EBUSY" \
		nsx "$F" "$SELFTESTS_BIN/cthelper_bad_input" new ftp 10 6 EBUSY
	check "other names still free" \
		nsx "$F" "$SELFTESTS_BIN/cthelper_bad_input" new ftp2 2 6 0
	nsx "$F" nfct flush helper
	retry 10 rmmod nf_conntrack_ftp
	check "add works again once the module is gone" \
		nsx "$F" nfct add helper ftp inet tcp
else
	skip "add fails with EBUSY while nf_conntrack_ftp is loaded" "insmod failed"
fi
nsx "$F" nfct flush helper 2>/dev/null

tap_done
