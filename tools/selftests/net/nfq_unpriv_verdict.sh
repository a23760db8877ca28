#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Least-privilege verdicts. A helper daemon binds its queue with
# CAP_NET_ADMIN and then drops every privilege. Its verdicts are accepted
# only if the binder opted in (NFQA_CFG_F_UNPRIV_VERDICT), and then may only
# accept or drop the packet, replace its payload, update the private data
# (CTA_HELP_INFO) of the packet's own conntrack and attach expectations whose
# master is that conntrack, between addresses of that conntrack, of a class
# its helper declared. Everything else is refused with EPERM (TAP lines of
# nfq_test_helper -U), and a message from the unprivileged sender to an
# nfnetlink subsystem that is not loaded is refused before any module is
# requested (the kernel's modprobe is replaced by a logger meanwhile).
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct socat conntrack
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
kernel_src_has NFQA_CFG_F_UNPRIV_VERDICT include/uapi/linux/netfilter/nfnetlink_queue.h ||
	skip_all "no NFQA_CFG_F_UNPRIV_VERDICT in this kernel"

# nfnetlink_acct (subsystem 7) is not built: an unprivileged message to it
# must not make the kernel run modprobe.
ACCT=7
MODPROBE_WAS=$(cat /proc/sys/kernel/modprobe)
printf '#!/bin/sh\necho "$*" >>%s\nexec %s "$@"\n' "$T/modprobe.log" "$MODPROBE_WAS" >"$T/modprobe"
chmod +x "$T/modprobe"
: >"$T/modprobe.log"
echo "$T/modprobe" >/proc/sys/kernel/modprobe
restore_modprobe() { echo "$MODPROBE_WAS" >/proc/sys/kernel/modprobe; }

# A line protocol on port 7000 whose helper expects a data connection from
# the client to the server's port 5001.
fw_filter "$F" iptables
nsx "$F" iptables -A FORWARD -p tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
spawn "$S" socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
spawn "$S" socat TCP-LISTEN:5001,reuseaddr,fork SYSTEM:"echo data"
wait_port "$S" 7000 && wait_port "$S" 5001 || { restore_modprobe; skip_all "socat does not listen"; }

nsx "$F" conntrack -E expect >"$T/expect-events" 2>&1 &
PIDS="$PIDS $!"
nfq_helper_start "$F" -U -A $ACCT -P 5001 -p 4 ||
	{ restore_modprobe; skip_all "nfq_test_helper -U does not start"; }
cp "$T/modprobe.log" "$T/modprobe.unpriv"
# The same message from a privileged sender does make the kernel ask
# modprobe: the logger works.
/usr/bin/python3 - <<-PY
	import socket, struct
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
	hdr = struct.pack("=IHHII", 20, $ACCT << 8, 1 | 4, 1, 0)
	s.sendto(hdr + struct.pack("=BBH", 0, 0, 0), (0, 0))
	s.settimeout(5)
	s.recv(200)
	PY
restore_modprobe
check "the unprivileged message made the kernel request no module" \
	sh -c "! grep -q 'nfnetlink-subsys-$ACCT' '$T/modprobe.unpriv'"
check "a privileged one does (the modprobe logger works)" \
	grep -q "nfnetlink-subsys-$ACCT" "$T/modprobe.log"

nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 7000 -j CT --helper ftp
# Enough packets for every refused verdict and then the valid ones; the
# session stays open while the data connection is tried.
{
	for i in $(seq 1 24); do echo "line $i"; sleep 0.2; done
	nsx "$C" socat -T 3 - TCP:$SRV4:5001,connect-timeout=3 </dev/null >"$T/data" 2>&1
	echo bye
} | nsx "$C" socat -t 2 - TCP:$SRV4:7000 >"$T/echo" 2>&1

check "the line connection carried every line through the verdicts" \
	grep -q "line 24" "$T/echo"
check "data connection let in by the unprivileged helper's expectation" \
	grep -q data "$T/data"
nfq_helper_stop
tap_lines "$NFQ_LOG"
grep -E '^privdata|^summary' "$NFQ_LOG" | sed 's/^/# /'
check "unprivileged private data updates kept (CTA_HELP_INFO)" \
	grep -Eq 'privdata exact [1-9][0-9]* stale [0-9]+ bad 0$' "$NFQ_LOG"
sleep 1
n=$(grep -c '\[NEW\]' "$T/expect-events")
if [ "$n" = 1 ]; then
	ok "one expectation created, by the valid verdict only"
else
	not_ok "one expectation created, by the valid verdict only" "$n expectation events"
	sed 's/^/#   /' "$T/expect-events"
fi

# Without the opt-in, no verdict from an unprivileged sender at all.
nfq_helper_start "$F" -u -P 5001 -p 4 || skip "a queue bound without opting in" "nfq_test_helper -u does not start"
echo "stuck" | nsx "$C" socat -T 4 - TCP:$SRV4:7000,connect-timeout=3 >/dev/null 2>&1
nfq_helper_stop
tap_lines "$NFQ_LOG"

nsx "$F" iptables -t raw -F
tap_done
