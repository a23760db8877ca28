#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rmmod nfnetlink_cthelper while its helpers are in use (issue 10, item
# 3): in a namespace of this test, helper "uflood" is given to new flows by
# permanent expectations (the one rule, for the control flows, is deleted
# just before: no reference holds the module),
# each packet of those flows waits in a queue for a verdict that attaches
# an expectation, and conntracks and expectations are dumped in a loop. The
# module's exit then purges every namespace's helpers under all of that;
# KASAN (the debug kernel) decides, the checks make sure it happened.
# Needs CONFIG_NF_CT_NETLINK_HELPER=m (the module-order variant,
# vm/config.modules); a few rounds, bounded in time.

if [ "${1:-}" != --in-netns ]; then
	exec unshare --net "$0" --in-netns
fi
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/selftests/lib_purge.sh"
purge_prologue
require modprobe rmmod
[ -e /sys/module/nfnetlink_cthelper/refcnt ] ||
	skip_all "nfnetlink_cthelper is built in (the module-order kernel has it as a module)"

ROUND_SECS=${ROUND_SECS:-15}
ROUNDS=${ROUNDS:-3}
# nfct would load the module again: dump conntracks and expectations only.
DUMP_HELPERS=no

refcnt() {
	cat /sys/module/nfnetlink_cthelper/refcnt 2>/dev/null
}

unloaded=0 helped_total=0 queued_total=0
for round in $(seq "$ROUNDS"); do
	: >"$T/flood.log"
	modprobe nfnetlink_cthelper 2>"$T/modprobe" ||
		{ not_ok "round $round: modprobe nfnetlink_cthelper" "$(cat "$T/modprobe")"; break; }
	# A rule gives ctl to control flows (port 9); their verdicts leave a
	# permanent expectation giving uflood to flows to port 9000.
	if ! helper_on_port rmmod 9 ctl status enabled ||
	   ! "$NFCT" helper add uflood inet udp status enabled >>"$T/rmmod.err" 2>&1; then
		not_ok "round $round: helpers registered" "$(cat "$T/rmmod.err")"
		break
	fi
	# Each packet of a uflood flow waits 200 ms in the queue, then gets an
	# expectation naming ctl.
	spawn_bg "$T/flood.log" "$FLOOD" helper -q 0 -d 200 -E ctl -C 9:9000:uflood
	retry 50 grep -qs '^ready' "$T/flood.log" || skip_all "nfq_exp_flood: $(cat "$T/flood.log")"
	spawn_bg /dev/null "$FLOOD" send 127.0.0.1 9 5
	retry 50 sh -c "conntrack -L expect 2>/dev/null | grep -q 'dport=9000'" ||
		diag "round $round: no permanent expectation for port 9000"
	spawn_bg /dev/null "$FLOOD" send 127.0.0.1 9000 100
	spawn_bg /dev/null dumper
	sleep $((ROUND_SECS / 3))
	helped=$(conntrack -L 2>/dev/null | grep -c 'helper=uflood')
	helped_total=$((helped_total + helped))
	queued=$(awk '$1 == 0 { print $3 }' /proc/net/netfilter/nfnetlink_queue 2>/dev/null)
	queued_total=$((queued_total + ${queued:-0}))
	diag "round $round: $helped conntracks of uflood, ${queued:-?} packets queued," \
		"module refcnt $(refcnt)"
	# The rule goes: only conntracks, expectations and queued packets
	# refer to the helpers. Its references are dropped asynchronously.
	nft delete table ip rmmod
	t0=$(date +%s)
	while ! rmmod nfnetlink_cthelper 2>"$T/rmmod"; do
		[ $(($(date +%s) - t0)) -lt $((ROUND_SECS / 2)) ] || break
		sleep 0.2
	done
	if [ -e /sys/module/nfnetlink_cthelper/refcnt ]; then
		not_ok "round $round: rmmod with helpers in use" \
			"$(cat "$T/rmmod") (refcnt $(refcnt))"
		end_all
		break
	fi
	unloaded=$((unloaded + 1))
	# Traffic and dumps go on without the module for a moment.
	sleep 1
	end_all
	if conntrack -L 2>/dev/null | grep -q 'helper=uflood\|helper=ctl' ||
	   ! conntrack -L expect >/dev/null 2>&1; then
		not_ok "round $round: no conntrack names a helper of the unloaded module"
		conntrack -L 2>&1 | grep 'helper=' | head -n 3 | sed 's/^/#   /'
	fi
	sed -n "s/^summary: /# round $round: flood: /p; s/^acks: /# round $round: verdict acks: /p" \
		"$T/flood.log"
	conntrack -F >/dev/null 2>&1
	conntrack -F expect >/dev/null 2>&1
done
check "the module was unloaded with helpers in use in each round" \
	sh -c "[ $unloaded = $ROUNDS ]"
check "helped conntracks and queued packets existed at rmmod" \
	sh -c "[ $helped_total -gt 0 ] && [ $queued_total -gt 0 ]"
# Leave the module loaded, as the other tests expect.
check "nfnetlink_cthelper loads again" modprobe nfnetlink_cthelper
tap_done
