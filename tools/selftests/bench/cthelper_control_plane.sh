#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Control-plane cost of user-space helpers, measured in this VM: register
# and flush 1000 helpers, delete one helper, and the latency of GET requests
# in one namespace while another namespace adds and deletes helpers in a
# loop, next to the same GETs without that load. Reports numbers and the
# ratio measured side by side; asserts nothing about time.
. "${REPO:-.}/tools/selftests/lib.sh"

bench=$SELFTESTS_BIN/cthelper_bench
[ -x "$bench" ] || skip_all "$bench not built"
A=bench-a-$$
B=bench-b-$$
netns_add "$A" && netns_add "$B" || skip_all "cannot create namespaces"
nsx "$A" "$bench" delete 1 >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

out=$T/bench
check "add and flush 1000 helpers" sh -c "ip netns exec $A $bench add-flush 1000 >$out.flush"
check "delete one helper, 50 rounds" sh -c "ip netns exec $A $bench delete 50 >$out.delete"
check "GET latency, quiet" sh -c "ip netns exec $B $bench get-latency 5 >$out.quiet"
ip netns exec "$A" "$bench" churn 7 >"$out.churn" 2>&1 &
churn_pid=$!
sleep 1
check "GET latency, other namespace deleting helpers" \
	sh -c "ip netns exec $B $bench get-latency 5 >$out.loaded"
wait "$churn_pid"

for f in flush delete churn; do sed 's/^/# /' "$out.$f"; done
sed 's/^/# quiet /' "$out.quiet"
sed 's/^/# loaded /' "$out.loaded"
awk '$1 == "get_median" { m[FILENAME] = $2 } $1 == "get_p99" { p[FILENAME] = $2 }
	END {
		q = ARGV[1]; l = ARGV[2]
		if (m[q] > 0 && p[q] > 0)
			printf "# ratio loaded/quiet GET latency: median %.2f, p99 %.2f\n",
				m[l] / m[q], p[l] / p[q]
	}' "$out.quiet" "$out.loaded"
tap_done
