#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A conntrack whose destroy event could not be delivered to a listener that
# asked for reliable delivery (NETLINK_BROADCAST_ERROR, as conntrackd does)
# leaves the table but waits on the namespace's dying list, with its helper
# extension, until the event gets through. A user-space helper deleted
# meanwhile must not stay reachable from it: "conntrack -L dying" prints the
# helper of each such conntrack (issue 10, item 3). The helper's purge
# walks the conntrack table; before the fix it missed the dying list, the
# helper was freed and the dump read it (KASAN on the debug kernel; on the
# normal kernel the freed helper's name was usually still there).

if [ "${1:-}" != --in-netns ]; then
	exec unshare --net "$0" --in-netns
fi
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/selftests/lib_purge.sh"
purge_prologue
PY=/usr/bin/python3
[ -x "$PY" ] || skip_all "no /usr/bin/python3"
sysctl -qw net.netfilter.nf_conntrack_events=1 2>/dev/null ||
	skip_all "no net.netfilter.nf_conntrack_events (CONFIG_NF_CONNTRACK_EVENTS)"

# A destroy-event listener that asks for reliable delivery and never reads:
# once its tiny buffer is full, every destroy event fails.
"$PY" - >"$T/listener" 2>&1 <<-'PY' &
	import socket, time
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETFILTER
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
	s.bind((0, 1 << (3 - 1)))  # NFNLGRP_CONNTRACK_DESTROY
	s.setsockopt(270, 4, 1)  # SOL_NETLINK, NETLINK_BROADCAST_ERROR
	print("listening", flush=True)
	time.sleep(3600)
	PY
LISTENER=$!
PIDS="$PIDS $LISTENER"
retry 50 grep -qs '^listening' "$T/listener" || skip_all "listener: $(cat "$T/listener")"

# Registered, not enabled: its conntracks carry it, no packet is queued.
if helper_on_port dying 9 dyinghlp; then
	ok "helper dyinghlp registered and assigned to port 9"
else
	not_ok "helper dyinghlp registered and assigned to port 9" "$(cat "$T/dying.err")"
fi

"$FLOOD" send 127.0.0.1 9 50 >/dev/null 2>&1 &
SENDER=$!
sleep 1
stop "$SENDER"
helped=$(conntrack -L 2>/dev/null | grep -c 'helper=dyinghlp')
check "conntracks of dyinghlp exist ($helped)" sh -c "[ $helped -gt 0 ]"

# Their destroy events fail: they wait on the dying list.
conntrack -F >/dev/null 2>&1
dying=$(conntrack -L dying 2>/dev/null | grep -c 'helper=dyinghlp')
check "flushed conntracks of dyinghlp wait on the dying list ($dying)" \
	sh -c "[ $dying -gt 0 ]"

nft delete table ip dying
if retry 50 "$NFCT" helper delete dyinghlp inet udp >"$T/del" 2>&1; then
	ok "dyinghlp deleted while conntracks on the dying list carry it"
else
	not_ok "dyinghlp deleted while conntracks on the dying list carry it" "$(cat "$T/del")"
fi
# The purge runs from a work item; dump the dying list while it runs and
# after (KASAN reports a read of the freed helper).
for i in $(seq 20); do
	conntrack -L dying >"$T/dying" 2>&1
	sleep 0.1
done
n=$(conntrack -L dying 2>/dev/null | grep -c 'dport=9 ')
check "those conntracks are still on the dying list ($n)" sh -c "[ $n -gt 0 ]"
if grep -q 'helper=' "$T/dying"; then
	not_ok "no conntrack on the dying list names the deleted helper"
	grep 'helper=' "$T/dying" | head -n 3 | sed 's/^/#   /'
else
	ok "no conntrack on the dying list names the deleted helper"
fi

# The listener gone, the destroy events get through and the list empties.
stop "$LISTENER"
empty() {
	[ "$(conntrack -L dying 2>/dev/null | grep -c 'dport=9 ')" = 0 ]
}
check "the dying list empties once the listener is gone" retry 100 empty
tap_done
