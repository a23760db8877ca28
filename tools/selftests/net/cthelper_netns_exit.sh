#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A namespace that goes away with user-space helpers still in use: an ftp
# helper registered with nfct, referenced by an nft "ct helper" object (used
# by a "ct helper set" rule), by an iptables (nft backend) and an
# iptables-legacy "-t raw -j CT --helper ftp" rule, with a helped connection
# for each rule and an expectation pending on each connection. Deleting the
# namespace must free the helper only after the last rule let go of it,
# once from "ip netns add" (root) and once from "unshare -Urn" (root of a
# user namespace). The kernel log checks (KASAN on the debug kernel) decide.
#
# Pernet exit methods run in reverse order of registration. Built in,
# nfnetlink_cthelper registers before nf_tables and iptable_raw, so rules
# go first; as a module loaded after boot (the module-order variant of
# make kernel-debug, tools/selftests/vm/config.modules) its exit runs first
# and the rules put the helper afterwards. The test runs on both kernels and
# says which order it exercised.

# The part that runs inside the doomed namespace, as its root, in a PID
# namespace of its own: set up, wait for the expectations, then end, and
# every process in the namespace with it, so that the namespace can go.
if [ "${1:-}" = --inside ]; then
	T=$2
	NFCT=$REPO/tools/nfct/nfct
	pids=""
	fail() { echo "inside: $*"; for p in $pids; do kill "$p"; done; exit 1; }
	ip link set lo up || fail "lo"
	"$NFCT" helper add ftp inet tcp status enabled ||
		fail "nfct helper add ftp inet tcp"
	nft -f - <<-NFT || fail "nft ct helper object and rule"
	table inet uhelp {
		ct helper h4 { type "ftp" protocol tcp; l3proto ip; }
		chain out {
			type filter hook output priority -150;
			tcp dport 7000 ct helper set "h4"
		}
	}
	NFT
	iptables -t raw -A OUTPUT -p tcp --dport 7001 -j CT --helper ftp ||
		fail "iptables CT --helper ftp"
	ports="7000 7001"
	if command -v iptables-legacy >/dev/null; then
		iptables-legacy -t raw -A OUTPUT -p tcp --dport 7002 \
			-j CT --helper ftp || fail "iptables-legacy CT --helper ftp"
		ports="$ports 7002"
	fi
	echo "rules: $ports"
	for port in $ports; do
		socat TCP-LISTEN:$port,reuseaddr,fork EXEC:cat &
		pids="$pids $!"
	done
	for port in $ports; do
		n=0
		until ss -Htln "sport = :$port" | grep -q .; do
			n=$((n + 1)); [ $n -lt 50 ] || fail "socat does not listen on $port"
			sleep 0.1
		done
	done
	# The test helper answers the first payload packet of each connection
	# with an expectation for the client's address to port 5001.
	"$SELFTESTS_BIN/nfq_test_helper" -R -P 5001 >"$T/nfq.log" 2>&1 &
	pids="$pids $!"
	n=0
	until grep -qs '^ready' "$T/nfq.log"; do
		n=$((n + 1)); [ $n -lt 50 ] || fail "nfq_test_helper: $(cat "$T/nfq.log")"
		sleep 0.1
	done
	# One client address per connection: their expectations must differ.
	i=0
	for port in $ports; do
		i=$((i + 1))
		(echo hello; sleep 60) |
			socat - TCP:127.0.0.1:$port,bind=127.0.0.$((i + 1)) >/dev/null &
		pids="$pids $!"
	done
	n=0
	until [ "$(conntrack -L expect 2>/dev/null | grep -c 'dport=5001 ')" -ge "$i" ]; do
		n=$((n + 1)); [ $n -lt 100 ] || break
		sleep 0.1
	done
	conntrack -L 2>/dev/null | grep 'dport=700' | sed 's/^/conntrack: /'
	conntrack -L expect 2>/dev/null | sed 's/^/expect: /'
	[ ! -r /proc/net/nf_conntrack_expect ] ||
		sed 's/^/proc expect: /' /proc/net/nf_conntrack_expect
	echo "expectations: $(conntrack -L expect 2>/dev/null | grep -c 'dport=5001 ') of $i"
	# The first process of a PID namespace of its own: the kernel ends
	# what is left of the clients with it.
	for p in $pids; do kill "$p" 2>/dev/null; done
	exit 0
fi

. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
[ -x "$REPO/tools/nfct/nfct" ] || skip_all "tools/nfct/nfct not built (make tools)"
require nft iptables socat conntrack unshare

# The module variant: load nfnetlink_cthelper now, after the built-in
# nf_tables and iptable_raw, as the first "nfct helper add" would.
LOADED=""
for m in nfnetlink_cthelper nft_ct xt_CT; do
	[ -f /sys/module/$m/initstate ] && continue
	modprobe -q $m 2>/dev/null || continue
	# modprobe of a built-in module succeeds too
	[ -f /sys/module/$m/initstate ] && LOADED="$m $LOADED"
done
if [ -f /sys/module/nfnetlink_cthelper/initstate ]; then
	MODULE=1
	diag "nfnetlink_cthelper is a module: its namespace exit runs before" \
	     "the rules' (nf_tables, iptable_raw)"
else
	MODULE=0
	diag "nfnetlink_cthelper is built in: its namespace exit runs after" \
	     "the rules'; make vmcheck-debug tests the module order under KASAN"
fi
if lsmod 2>/dev/null | grep -q '^nf_conntrack_ftp '; then
	skip_all "nf_conntrack_ftp is loaded and owns the name ftp"
fi

refcnt() {
	cat /sys/module/nfnetlink_cthelper/refcnt 2>/dev/null || echo 0
}

# gone BASE: wait until the namespace's cleanup dropped the rules: with
# the module, its reference count is back to BASE; built in, give the
# cleanup work a few seconds.
gone() {
	if [ "$MODULE" = 1 ]; then
		retry 150 sh -c "[ \$(cat /sys/module/nfnetlink_cthelper/refcnt) -le $1 ]"
	else
		sleep 3
	fi
}

# run_case NAME CMD...: CMD runs the inside part in a new namespace that
# is gone when CMD and gone() return.
run_case() {
	case_name=$1; shift
	case_out="$T/case.out"
	base=$(refcnt)
	"$@" >"$case_out" 2>&1
	rc=$?
	sed 's/^/# /' "$case_out"
	if [ $rc -ne 0 ]; then
		not_ok "$case_name: helper, nft and iptables rules, connections set up"
		return
	fi
	ok "$case_name: helper, nft and iptables rules, connections set up"
	want=$(sed -n 's/^expectations: [0-9]* of //p' "$case_out")
	check "$case_name: an expectation pending on each helped connection" \
		grep -q "^expectations: $want of $want\$" "$case_out"
	if gone "$base"; then
		ok "$case_name: namespace deleted, the rules let go of the helper"
	else
		not_ok "$case_name: namespace deleted, the rules let go of the helper" \
			"nfnetlink_cthelper refcnt $(refcnt), was $base"
	fi
	check "$case_name: no kernel warning (KASAN, refcount) so far" dmesg_clean
}

NS=exit-$$
ns_case() {
	ip netns add "$NS" || return 1
	ip netns exec "$NS" unshare --pid --fork "$0" --inside "$T"
	ns_rc=$?
	ip netns del "$NS"
	return $ns_rc
}
run_case "ip netns del" ns_case
run_case "unshare -Urn" unshare -Urn --pid --fork "$0" --inside "$T"

# What we loaded goes, the helper module last: unloading it runs its exit
# method for every namespace left.
for m in $LOADED; do
	retry 25 rmmod $m || not_ok "rmmod $m" "$(lsmod | grep "^$m ")"
done

tap_done
