#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# No expectation outlives the user-space helper it was created for. Helper
# "uflood" is deleted and re-added in a loop while a test helper
# (progs/nfq_exp_flood) answers every queued packet with an NFQA_EXP,
# reading /proc/net/nf_conntrack_expect (when the kernel has it) and
# dumping the expectations (conntrack -L expect) all along: both read the
# helpers of each expectation.
#
# Rules are of no use here: deleting a rule's helper reference (xt_CT, nft
# ct helper object) drops every queued packet of the namespace, and so
# does removing a hook. A permanent expectation with CTA_EXPECT_HELP_NAME
# gives uflood to new UDP flows instead: it is created by the verdict on a
# control flow, helped by helper "ctl" (which stays, and keeps the helper
# hooks registered). The first packet of each such flow is queued with an
# unconfirmed conntrack, which the purge's conntrack walk cannot see; the
# test helper holds those packets and gives its verdicts, each attaching
# an expectation to that conntrack, while uflood is deleted and purged.
# Once uflood is gone no expectation of it may be left. The kernel log
# checks (KASAN on the debug kernel) decide as well.
#
# With FLUSH=MASK (cthelper_expect_flush_race.sh) every such verdict first
# removes the expectations of these classes of its conntrack
# (NFQA_EXP_FLUSH): that walk races the purge's too.

# A network namespace of our own, gone with the test: no "ip netns exec"
# per command, which costs a lot in the emulated VM.
if [ "${1:-}" != --in-netns ]; then
	exec unshare --net "$0" --in-netns
fi
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/selftests/lib_purge.sh"
purge_prologue
[ -z "${FLUSH:-}" ] ||
	kernel_src_has NFQA_EXP_FLUSH include/uapi/linux/netfilter/nfnetlink_queue.h ||
	skip_all "this kernel has no NFQA_EXP_FLUSH"

ROUNDS=${ROUNDS:-12}
if helper_on_port race 9 ctl status enabled; then
	ok "helper ctl (udp) registered and assigned to port 9"
else
	not_ok "helper ctl (udp) registered and assigned to port 9" "$(cat "$T/race.err")"
fi

spawn_flood() {
	"$FLOOD" "$@" >>"$T/flood.log" 2>&1 &
	PIDS="$PIDS $!"
}
# The test helper holds every packet until told, then gives its verdicts
# over 0.5 s (SIGUSR1), or over 0.3 s with uflood deleted a quarter of the
# way through, by the test helper itself (SIGUSR2): the verdicts that
# follow, one every millisecond or two, come in while uflood is purged.
# Control packets (to port 9) get the permanent expectation that assigns
# uflood to flows to port 9000; the others an expectation that names ctl
# (CTA_EXPECT_HELP_NAME: a lookup by the name of the helper being deleted
# fails once it is unlinked). 100 new flows a second keep the expectations
# (one per flow, gone with it after 30 s) below the table's limit (1024
# here), which would refuse them all.
spawn_flood helper -q 0 -H 500 -E ctl -C 9:9000:uflood -D uflood:300 \
	${FLUSH:+-F "$FLUSH"}
FLOOD_PID=$!
retry 50 grep -qs '^ready' "$T/flood.log" || skip_all "nfq_exp_flood: $(cat "$T/flood.log")"
spawn_flood send 127.0.0.1 9 2
spawn_flood send 127.0.0.1 9000 100

expectations() {
	conntrack -L expect 2>/dev/null | grep -c 'proto=17 '
}

# Both read the helpers of every expectation.
read_expectations() {
	[ ! -r /proc/net/nf_conntrack_expect ] || cat /proc/net/nf_conntrack_expect >/dev/null
	conntrack -L expect >/dev/null 2>&1
}
[ -r /proc/net/nf_conntrack_expect ] ||
	diag "no /proc/net/nf_conntrack_expect (NF_CONNTRACK_PROCFS): conntrack -L expect only"

# Expectations created by uflood: their masters are the flows to port
# 9000 (not by helper name: that of a freed helper is garbage).
stale_count() {
	conntrack -L expect >"$T/expect" 2>"$T/expect.err"
	_rc=$?
	_n=$(grep -c ' dport=9000 class=' "$T/expect")
	# A dump that fails (on such an expectation) counts as one too.
	[ $_rc = 0 ] || _n=$((_n + 1))
	echo "$_n"
}
stale_none() {
	[ "$(stale_count)" = 0 ]
}

added=0 deleted=0 seen=0 stale=0 start=$(date +%s)
for round in $(seq "$ROUNDS"); do
	"$NFCT" helper add uflood inet udp status enabled >"$T/add" 2>&1 ||
		{ cat "$T/add"; break; }
	added=$((added + 1))
	# Control verdicts: flows to port 9000 get uflood from now on.
	sleep 0.5
	kill -USR1 "$FLOOD_PID"
	# Verdicts on flows of uflood while it serves.
	sleep 1
	kill -USR1 "$FLOOD_PID"
	sleep 1.5
	n=$(expectations)
	[ "$n" -le "$seen" ] || seen=$n
	# The packets held meanwhile get their verdicts while uflood is
	# deleted and purged.
	kill -USR2 "$FLOOD_PID"
	retry 50 sh -c "[ \$(grep -c '^deleted uflood' '$T/flood.log') -ge $round ]"
	deleted=$(grep -c "^deleted uflood: ok" "$T/flood.log")
	read_expectations
	# Once the purge is done (it waits for a few grace periods) no
	# expectation of uflood may be left.
	if ! retry 25 stale_none; then
		stale=$((stale + 1))
		diag "round $round: $(stale_count) expectations of uflood outlived it"
		grep ' dport=9000 class=' "$T/expect" | head -n 3 | sed 's/^/#   /'
		head -n 3 "$T/expect.err" | sed 's/^/#   /'
	fi
	sleep 1
	read_expectations
	# Bounded, whatever the kernel's speed: at most 120 s of rounds.
	[ $(($(date +%s) - start)) -lt 120 ] || break
done
diag "$added rounds, $deleted deletions, at most $seen expectations listed in a round"
check "every round added and deleted the helper" \
	sh -c "[ $added -gt 0 ] && [ $added = $deleted ]"
check "the test helper's verdicts created expectations" sh -c "[ $seen -gt 1 ]"
check "no expectation outlived uflood in any round" sh -c "[ $stale = 0 ]"

# Let the last verdicts in and the purge finish.
sleep 1
for p in $PIDS; do kill "$p" 2>/dev/null; done
for p in $PIDS; do wait "$p" 2>/dev/null; done
PIDS=""
sed -n 's/^summary: /# flood: /p; s/^acks: /# flood: verdict acks: /p; s/^sent/# sender: &/p' "$T/flood.log"

left() {
	[ "$(expectations)" = 0 ]
}
if retry 50 left; then
	ok "no expectation outlives its helper"
else
	not_ok "no expectation outlives its helper" \
		"$(expectations) expectations left after the helper was deleted"
	conntrack -L expect 2>&1 | head -n 5 | sed 's/^/#   /'
	head -n 5 /proc/net/nf_conntrack_expect 2>/dev/null | sed 's/^/#   /'
fi
nft delete table ip race
retry 50 "$NFCT" helper delete ctl inet udp >/dev/null 2>&1
tap_done
