#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cthelperd under a service manager's eyes: with NOTIFY_SOCKET and
# WATCHDOG_USEC set (as systemd sets them for Type=notify and WatchdogSec),
# the daemon sends READY=1 once it serves, WATCHDOG=1 at half the period
# from its event loop while it runs as nobody under seccomp, none while it
# is stopped (systemd would kill and restart it), again once it continues,
# and STOPPING=1 at SIGTERM. socat stands in for systemd.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct socat
netns_add "$F" || skip_all "cannot create a network namespace"
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

SOCK=$T/notify.sock
socat -u "UNIX-RECV:$SOCK" OPEN:"$T/notify.log",creat,append &
PIDS="$PIDS $!"
retry 50 test -S "$SOCK" || { not_ok "socat listens on $SOCK"; tap_done; }
# the socket is root's; the daemon connects to it before dropping to nobody
pings() { grep -o 'WATCHDOG=1' "$T/notify.log" | wc -l; }

export NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=400000
cthelperd_start "$F" --helper ftp --register --user nobody || { not_ok "cthelperd starts"; tap_done; }
unset NOTIFY_SOCKET WATCHDOG_USEC
check "READY=1 once it serves" retry 50 grep -q 'READY=1' "$T/notify.log"
check "it runs as nobody under seccomp meanwhile" sh -c "
	grep -Eq '^Uid:[[:space:]]+65534' /proc/$CTHD_PID/status &&
	grep -Eq '^Seccomp:[[:space:]]+2' /proc/$CTHD_PID/status"
# counted after a pause, so that socat has written what arrived
cpu() { awk '{print $14 + $15}' /proc/$CTHD_PID/stat; }
sleep 0.5
before=$(pings); t0=$(date +%s%N); c0=$(cpu)
sleep 3
t1=$(date +%s%N); c1=$(cpu); sleep 0.5; after=$(pings)
ms=$(((t1 - t0) / 1000000)); got=$((after - before))
# at least one per period (what systemd needs); the exact rate is
# tests/test_notify's (the VM's clocks and socat's pace blur it here)
check "WATCHDOG=1 from the event loop, at least once per WATCHDOG_USEC ($got in $ms ms)" \
	test "$got" -ge $((ms / 400))
# the timeout it gives epoll_wait must not make the loop spin: under 10%
# of a CPU (ticks are 10 ms)
check "an idle daemon with a watchdog stays idle ($((c1 - c0)) ticks of CPU in $ms ms)" \
	test $((c1 - c0)) -le $((ms / 100))
kill -STOP "$CTHD_PID"
sleep 0.5
stopped=$(pings)
sleep 1.5
check "a stopped daemon sends no WATCHDOG=1 (systemd would restart it)" test "$(pings)" -eq "$stopped"
kill -CONT "$CTHD_PID"
check "WATCHDOG=1 again once it continues" retry 25 sh -c "[ \$(grep -o WATCHDOG=1 '$T/notify.log' | wc -l) -gt $stopped ]"
cthelperd_stop
check "SIGTERM: exit 0" test $? -eq 0
check "STOPPING=1 at SIGTERM" grep -q 'STOPPING=1' "$T/notify.log"
check "the helpers it registered are gone" sh -c "! ip netns exec $F nfct list helper | grep -q 'name = ftp'"
tap_done
