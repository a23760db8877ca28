#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cthelperd keeps no state of its own: the kernel keeps each connection's
# private data. kill -9 under load: traffic keeps flowing (fail-open, the
# data connection in progress completes), control connections still open
# while no daemon runs, and a restarted daemon reads a PORT command sent
# after the restart: it knows where a line starts only from the private
# data. SIGTERM with packets in flight.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd curl socat /usr/bin/python3
ftp_setup
head -c 3000000 /dev/urandom >"$T/ftproot/big"
chmod 644 "$T/ftproot/big"

cthelperd_start "$F" --helper ftp --family inet --register ||
	{ not_ok "cthelperd starts"; tap_done; }
fw_filter "$F" iptables
helper_assign "$F" iptables PREROUTING 4

# a slow download in progress when the daemon is killed
nsx "$C" curl -sS --max-time 60 --disable-epsv --limit-rate 300K \
	-o "$T/big.got" "ftp://$SRV4/big" 2>"$T/big.err" &
BIG=$!
retry 50 test -s "$T/big.got"
cthelperd_kill9
ok "kill -9 during a transfer"
check "no daemon: the helper stays registered" \
	sh -c "ip netns exec $F nfct list helper | grep -q 'name = ftp'"
check "no daemon: a new control connection still opens (fail-open)" \
	sh -c "echo QUIT | ip netns exec $C socat -T3 - TCP:$SRV4:21 | grep -q '^220'"
if ftp_pasv "$C" $SRV4 2>/dev/null; then
	not_ok "no daemon: no expectation, PASV data blocked by the firewall"
else
	ok "no daemon: no expectation, PASV data blocked by the firewall"
fi
cthelperd_start "$F" --helper ftp --family inet || { not_ok "cthelperd restarts"; tap_done; }
ok "cthelperd restarts and enables the registered helper"
wait $BIG
check "the transfer running across kill -9 and restart completes" \
	sh -c "cmp -s '$T/big.got' '$T/ftproot/big' || { cat '$T/big.err'; false; }"
check "after the restart: PASV works again" ftp_pasv "$C" $SRV4

# log in, kill -9 + restart, then PORT: the line start comes from the kernel
size=$(wc -c <"$T/ftproot/file")
nsx "$C" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/restart_port_client.py" \
	$SRV4 $CLI4 40123 "$T/logged-in" "$T/go" "$size" >"$T/restart.out" 2>&1 &
SPLIT=$!
if retry 50 test -e "$T/logged-in"; then
	cthelperd_kill9
	cthelperd_start "$F" --helper ftp --family inet
	touch "$T/go"
fi
wait $SPLIT
rc=$?
sed 's/^/# /' "$T/restart.out"
check "PORT after kill -9 + restart: data connection allowed (line start from private data)" \
	test $rc -eq 0
check "stats of the restarted daemon: the expectation was made" \
	sh -c "[ '$(cthelperd_counter expectations)' -ge 1 ] && [ '$(cthelperd_counter accepted_on_error)' = 0 ]"

# SIGTERM while a transfer's control connection is busy: nothing stuck
nsx "$C" curl -sS --max-time 30 --disable-epsv --limit-rate 500K \
	-o "$T/big2.got" "ftp://$SRV4/big" 2>/dev/null &
BIG=$!
retry 50 test -s "$T/big2.got"
: >"$CTHD_LOG"
cthelperd_stop
check "SIGTERM: exits 0" test $? -eq 0
check "SIGTERM: keeps the helper it found registered (it did not create it)" \
	sh -c "ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ftp'"
check "SIGTERM: the log does not claim it deleted helpers" \
	sh -c "! grep -q 'registered are deleted' '$CTHD_LOG'"
wait $BIG
check "SIGTERM: the transfer in progress completes" cmp -s "$T/big2.got" "$T/ftproot/big"
queued=$(nsx "$F" cat /proc/net/netfilter/nfnetlink_queue 2>/dev/null | awk '{s += $3} END {print s + 0}')
check "SIGTERM: no packet left in a queue" test "$queued" -eq 0
nsx "$F" iptables -t raw -F
retry 25 nsx "$F" nfct flush helper

# SIGTERM while the rule that assigns the helper it registered is still
# there: the janitor shrinks the queues for the drain, cannot delete the
# helper (EBUSY), and the daemon says so instead of claiming it did.
: >"$CTHD_LOG"
cthelperd_start "$F" --helper ftp --family inet --register &&
	helper_assign "$F" iptables PREROUTING 4
check "--register: PASV transfer" ftp_pasv "$C" $SRV4
cthelperd_stop
check "SIGTERM, helper in use: exits 0" test $? -eq 0
check "SIGTERM, helper in use: the drain's queue shrink is not refused" \
	sh -c "! grep -q 'refused' '$CTHD_LOG'"
check "SIGTERM, helper in use: the log says it cannot be deleted" \
	grep -q "cannot delete the helpers this run registered: Device or resource busy" \
	"$CTHD_LOG"
check "SIGTERM, helper in use: it is still registered" \
	sh -c "ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ftp'"
nsx "$F" iptables -t raw -F
retry 25 nsx "$F" nfct flush helper
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
