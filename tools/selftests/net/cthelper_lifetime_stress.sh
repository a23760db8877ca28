#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Paths that change or free a user-space helper while conntracks,
# expectations and queued packets still reach it (issue 10, item 3), as
# bounded stress loops. KASAN (the debug kernel) decides most of it; the
# checks below make sure the races really ran.
#
# update: "nfct helper update" rewrites the policy (max, timeout), queue
#   and status of helper "upd" again and again while progs/nfq_exp_flood
#   answers every queued packet of its flows with an NFQA_EXP: the kernel
#   reads the policy where it inserts each expectation
#   (__nf_ct_expect_check()) while the update writes it.
# dump: helper "uflood" is deleted and re-added again and again while its
#   conntracks (given it by permanent expectations, no rule holds it), their
#   queued packets and their expectations exist, and while conntracks and
#   expectations are dumped in a loop (ctnetlink and /proc): every dump
#   prints the helper's name and private data of each entry.

if [ "${1:-}" != --in-netns ]; then
	exec unshare --net "$0" --in-netns
fi
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/selftests/lib_purge.sh"
purge_prologue

# Seconds each loop runs (whatever the kernel's speed).
STRESS_SECS=${STRESS_SECS:-30}

# --- update: policy rewritten while expectations are inserted -----------
if helper_on_port upd 9100 upd \
	policy upd max 4 timeout 30 status enabled; then
	ok "update: helper upd registered and assigned to port 9100"
else
	not_ok "update: helper upd registered and assigned to port 9100" "$(cat "$T/upd.err")"
fi
spawn_bg "$T/upd-flood.log" "$FLOOD" helper -q 0 -d 1
retry 50 grep -qs '^ready' "$T/upd-flood.log" || skip_all "nfq_exp_flood: $(cat "$T/upd-flood.log")"
spawn_bg "$T/upd-send.log" "$FLOOD" send 127.0.0.1 9100 100
spawn_bg /dev/null dumper

updates=0 failed=0 max_seen=0 start=$(date +%s)
while [ $(($(date +%s) - start)) -lt "$STRESS_SECS" ]; do
	for max in 1 8 2; do
		"$NFCT" helper update upd inet udp queue 0 \
			policy upd max $max timeout $((max * 7)) status enabled \
			>"$T/update" 2>&1 && updates=$((updates + 1)) ||
			{ failed=$((failed + 1)); [ $failed -gt 1 ] || diag "$(cat "$T/update")"; }
	done
	"$NFCT" helper disable upd inet udp >/dev/null 2>&1 || failed=$((failed + 1))
	"$NFCT" helper enable upd inet udp >/dev/null 2>&1 || failed=$((failed + 1))
	n=$(conntrack -L expect 2>/dev/null | grep -c 'proto=17 ')
	[ "$n" -le "$max_seen" ] || max_seen=$n
done
end_all
sed -n 's/^summary: /# update: flood: /p; s/^acks: /# update: verdict acks: /p' "$T/upd-flood.log"
diag "update: $updates policy updates, $failed failed, at most $max_seen expectations listed"
check "update: every update and status change succeeded" \
	sh -c "[ $updates -gt 0 ] && [ $failed = 0 ]"
check "update: verdicts created expectations meanwhile" \
	sh -c "grep -q '^acks: ok [1-9]' '$T/upd-flood.log' && [ $max_seen -gt 0 ]"
# The last update is what the helper shows.
check "update: the helper holds the last policy" \
	sh -c "'$NFCT' helper get upd inet udp | grep -q 'max 2 timeout 14s'"
nft delete table ip upd
retry 50 "$NFCT" helper delete upd inet udp >/dev/null 2>&1
conntrack -F >/dev/null 2>&1
conntrack -F expect >/dev/null 2>&1

# --- dump: delete and re-add while conntracks and expectations are dumped
if helper_on_port dump 9 ctl status enabled; then
	ok "dump: helper ctl (udp) registered and assigned to port 9"
else
	not_ok "dump: helper ctl (udp) registered and assigned to port 9" "$(cat "$T/dump.err")"
fi
# Control packets (port 9) get a permanent expectation that gives uflood
# to every flow to port 9000; each packet of those flows is queued, held
# for 20 ms and gets an expectation naming ctl.
spawn_bg "$T/flood.log" "$FLOOD" helper -q 0 -d 20 -E ctl -C 9:9000:uflood
retry 50 grep -qs '^ready' "$T/flood.log" || skip_all "nfq_exp_flood: $(cat "$T/flood.log")"
spawn_bg "$T/send9.log" "$FLOOD" send 127.0.0.1 9 5
spawn_bg "$T/send9000.log" "$FLOOD" send 127.0.0.1 9000 100
spawn_bg /dev/null dumper

rounds=0 deleted=0 helped_seen=0 start=$(date +%s)
while [ $(($(date +%s) - start)) -lt "$STRESS_SECS" ]; do
	"$NFCT" helper add uflood inet udp status enabled >"$T/add" 2>&1 ||
		{ diag "$(cat "$T/add")"; break; }
	rounds=$((rounds + 1))
	sleep 0.3
	n=$(conntrack -L 2>/dev/null | grep -c 'helper=uflood')
	[ "$n" -le "$helped_seen" ] || helped_seen=$n
	if "$NFCT" helper delete uflood inet udp >"$T/del" 2>&1; then
		deleted=$((deleted + 1))
	else
		diag "round $rounds: $(cat "$T/del")"
	fi
done
end_all
sed -n 's/^summary: /# dump: flood: /p; s/^acks: /# dump: verdict acks: /p' "$T/flood.log"
diag "dump: $rounds rounds, $deleted deletions, at most $helped_seen conntracks of uflood listed"
check "dump: every round added and deleted uflood" \
	sh -c "[ $rounds -gt 1 ] && [ $rounds = $deleted ]"
check "dump: uflood helped conntracks between deletions" sh -c "[ $helped_seen -gt 0 ]"
no_uflood() {
	! conntrack -L 2>/dev/null | grep -q 'helper=uflood' &&
	! { [ -r /proc/net/nf_conntrack ] && grep -q 'helper=uflood' /proc/net/nf_conntrack; }
}
check "dump: no conntrack names uflood once it is deleted" retry 50 no_uflood
check "dump: conntracks and expectations still dump" \
	sh -c "conntrack -L >/dev/null && conntrack -L expect >/dev/null"
nft delete table ip dump
retry 50 "$NFCT" helper delete ctl inet udp >/dev/null 2>&1
tap_done
