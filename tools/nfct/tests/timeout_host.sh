#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# nfct against the running kernel's cttimeout subsystem (host integration).
# Runs in a network namespace of its own (unshare --net) so that timeout
# policies and default timeouts of the host are never touched; without
# unshare it uses the host's namespace, unique names and restores what it
# changed. Needs root. TAP on stdout; exit 0 pass, 1 fail, 4 skip.
#
# Also cross-checks with Debian's nfct (conntrack-tools 1.4.7) when it is
# installed: each tool reads what the other wrote.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
NFCT_DIR=$(dirname "$HERE")
NFCT=$NFCT_DIR/nfct
DEBIAN_NFCT=/usr/sbin/nfct

if [ "${1:-}" != --inner ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (CAP_NET_ADMIN)"
		exit 4
	fi
	make -s -C "$NFCT_DIR" nfct >&2 || { echo "not ok 1 - build nfct"; echo "1..1"; exit 1; }
	if unshare --net true 2>/dev/null; then
		exec unshare --net "$0" --inner netns
	fi
	exec "$0" --inner host
fi
MODE=$2

N=0 FAILED=0
T=$(mktemp -d /tmp/nfct-timeout.XXXXXX)
P=nfcttest$$_	# name prefix: unique even in the host's namespace
UDP_UNREPLIED_ORIG=""

cleanup() {
	for name in "${P}web" "${P}theirs" "${P}used"; do
		"$NFCT" timeout delete "$name" 2>/dev/null
	done
	iptables -t raw -F "${P}chain" 2>/dev/null
	iptables -t raw -X "${P}chain" 2>/dev/null
	[ -z "$UDP_UNREPLIED_ORIG" ] ||
		"$NFCT" timeout default-set inet udp unreplied "$UDP_UNREPLIED_ORIG"
	rm -rf "$T"
}
trap cleanup EXIT

echo "TAP version 13"
echo "# namespace: $MODE"

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
	N=$((N + 1)); FAILED=$((FAILED + 1))
	echo "not ok $N - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}
skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }

# run EXPECTED_EXIT NAME CMD...: stdout in $T/out, stderr in $T/err
run() {
	_want=$1 _name=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		return 0
	fi
	not_ok "$_name" "exit $_rc, wanted $_want: $(cat "$T/err" "$T/out")"
	return 1
}

# json_check NAME PYTHON: run PYTHON with the JSON in $T/out as d
json_check() {
	if /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $2" "$T/out" 2>"$T/pyerr"; then
		ok "$1"
	else
		not_ok "$1" "$(cat "$T/pyerr" "$T/out")"
	fi
}

err_has() {
	if grep -q -- "$2" "$T/err"; then ok "$1"; else not_ok "$1" "stderr: $(cat "$T/err")"; fi
}

# The subsystem must be there, else there is nothing to test.
"$NFCT" timeout list >/dev/null 2>"$T/err"
case $? in
0) ;;
3) echo "1..0 # SKIP kernel without cttimeout: $(head -2 "$T/err" | tail -1)"; exit 4 ;;
*) echo "not ok 1 - timeout list"; sed 's/^/# /' "$T/err"; echo "1..1"; exit 1 ;;
esac

if [ "$MODE" = netns ] && run 0 "list in a new namespace" "$NFCT" -o json timeout list; then
	json_check "a new namespace has no timeout policies" "assert d == []"
fi

if run 0 "add ${P}web inet tcp established 600 close 5" \
	"$NFCT" timeout add "${P}web" inet tcp established 600 close 5; then
	ok "add ${P}web inet tcp established 600 close 5"
fi

if run 0 "get ${P}web -o json" "$NFCT" -o json timeout get "${P}web"; then
	json_check "get: the kernel keeps our values and fills the other states" "
t = d[0]
assert len(d) == 1 and t['name'] == '${P}web'
assert t['family'] == 'inet' and t['protocol'] == 'tcp' and t['l4proto'] == 6
assert t['timeouts']['ESTABLISHED'] == 600 and t['timeouts']['CLOSE'] == 5
assert len(t['timeouts']) == 11 and all(v > 0 for v in t['timeouts'].values())
assert t['use'] == 1"
fi

if run 0 "list (table)" "$NFCT" timeout list; then
	if head -1 "$T/out" | grep -q '^NAME  *FAMILY  *PROTO  *USERS  *TIMEOUTS' &&
		grep -q "^${P}web  *inet  *tcp  *0  *.*ESTABLISHED=600" "$T/out"; then
		ok "list table shows the policy with 0 users"
	else
		not_ok "list table shows the policy with 0 users" "$(cat "$T/out")"
	fi
fi

if [ -x "$DEBIAN_NFCT" ]; then
	"$NFCT" -o compat timeout get "${P}web" >"$T/ours" 2>&1
	"$DEBIAN_NFCT" timeout get "${P}web" >"$T/theirs" 2>&1
	if cmp -s "$T/ours" "$T/theirs"; then
		ok "conntrack-tools reads our policy; -o compat prints what it prints"
	else
		not_ok "conntrack-tools reads our policy; -o compat prints what it prints" \
			"$(diff "$T/ours" "$T/theirs")"
	fi
	if "$DEBIAN_NFCT" timeout add "${P}theirs" inet6 udp replied 77 2>"$T/err" &&
		run 0 "get a policy conntrack-tools added" "$NFCT" -o json timeout get "${P}theirs"; then
		json_check "we read conntrack-tools' policy" "
t = d[0]
assert t['family'] == 'inet6' and t['protocol'] == 'udp'
assert t['timeouts']['REPLIED'] == 77"
	else
		not_ok "conntrack-tools adds a policy" "$(cat "$T/err")"
	fi
	"$NFCT" timeout delete "${P}theirs"
else
	skip "conntrack-tools reads our policy" "Debian's nfct not installed"
	skip "we read conntrack-tools' policy" "Debian's nfct not installed"
fi

if run 1 "adding ${P}web again fails" "$NFCT" timeout add "${P}web" inet tcp close 1; then
	err_has "duplicate add names the cause and the fix" "exists already.*delete it first\|exists already"
fi

if run 5 "get of a missing policy exits 5" "$NFCT" timeout get "${P}nosuch"; then
	err_has "missing policy: says which and how to list" "no timeout policy named '${P}nosuch'"
fi

if run 2 "bad state is refused before sending" "$NFCT" timeout add "${P}bad" inet udp established 10; then
	err_has "bad state: lists the protocol's states" "known: UNREPLIED, REPLIED"
	if "$NFCT" timeout get "${P}bad" >/dev/null 2>&1; then
		not_ok "nothing was sent for a refused command"
	else
		ok "nothing was sent for a refused command"
	fi
fi

# A policy used by a rule cannot be deleted (iptables CT --timeout). The
# rule sits in a chain of our own that nothing jumps to: it holds the
# reference without touching any packet.
if command -v iptables >/dev/null &&
	"$NFCT" timeout add "${P}used" inet tcp established 50 &&
	iptables -t raw -N "${P}chain" 2>"$T/ipt" &&
	iptables -t raw -A "${P}chain" -p tcp -j CT --timeout "${P}used" 2>"$T/ipt"; then
	if run 1 "delete of a policy used by a rule fails" "$NFCT" timeout delete "${P}used"; then
		err_has "in-use delete says a rule uses it" "still used by a rule"
	fi
	"$NFCT" -o json timeout get "${P}used" >"$T/out" 2>&1
	json_check "the kernel counts the rule's reference" "assert d[0]['use'] >= 2"
	iptables -t raw -F "${P}chain"
	iptables -t raw -X "${P}chain"
	if run 0 "delete once the rule is gone" "$NFCT" timeout delete "${P}used"; then
		ok "delete once the rule is gone"
	fi
else
	skip "delete of a policy used by a rule fails" "iptables CT --timeout unavailable: $(cat "$T/ipt" 2>/dev/null)"
fi

# Defaults: change, read back, restore.
if run 0 "default-get inet udp" "$NFCT" -o json timeout default-get inet udp; then
	UDP_UNREPLIED_ORIG=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['timeouts']['UNREPLIED'])" "$T/out")
	json_check "default-get: no name, both udp states" "
t = d[0]
assert t['name'] is None and t['protocol'] == 'udp'
assert set(t['timeouts']) == {'UNREPLIED', 'REPLIED'}"
	new=$((UDP_UNREPLIED_ORIG + 7))
	if run 0 "default-set inet udp unreplied $new" "$NFCT" timeout default-set inet udp unreplied "$new" &&
		run 0 "default-get after default-set" "$NFCT" -o json timeout default-get inet udp; then
		json_check "default-set changed the default" "assert d[0]['timeouts']['UNREPLIED'] == $new"
	fi
	if run 0 "restore the udp default" "$NFCT" timeout default-set inet udp unreplied "$UDP_UNREPLIED_ORIG"; then
		"$NFCT" -o json timeout default-get inet udp >"$T/out"
		json_check "udp default restored" "assert d[0]['timeouts']['UNREPLIED'] == $UDP_UNREPLIED_ORIG"
		UDP_UNREPLIED_ORIG=""
	fi
fi

if run 0 "default-get inet6 icmpv6 (compat)" "$NFCT" -o compat timeout default-get inet6 icmpv6; then
	if grep -q '^	\.l4proto = 58,$' "$T/out" && grep -q '^		\.TIMEOUT = [0-9]*,$' "$T/out"; then
		ok "icmpv6 defaults in conntrack-tools' format"
	else
		not_ok "icmpv6 defaults in conntrack-tools' format" "$(cat "$T/out")"
	fi
fi

if run 0 "delete ${P}web" "$NFCT" timeout delete "${P}web"; then
	if run 5 "deleted policy is gone" "$NFCT" timeout get "${P}web"; then
		ok "deleted policy is gone"
	fi
fi

if [ "$MODE" = netns ]; then
	"$NFCT" timeout add "${P}web" inet tcp close 3 &&
		"$NFCT" timeout add "${P}theirs" inet udp replied 3
	if run 0 "flush" "$NFCT" timeout flush && run 0 "list after flush" "$NFCT" -o json timeout list; then
		json_check "flush removed every policy of the namespace" "assert d == []"
	fi
else
	skip "flush" "would flush the host's own policies"
fi

# The helper subsystem: a kernel without it must be reported as such.
"$NFCT" helper list >"$T/out" 2>"$T/err"
case $? in
3) err_has "helper list on a kernel without cthelper: names CONFIG_NF_CT_NETLINK_HELPER" \
	"no user-space helper support (CONFIG_NF_CT_NETLINK_HELPER)" ;;
0) skip "missing-cthelper error" "this kernel has nfnetlink_cthelper" ;;
*) not_ok "helper list: exit 0 or 3" "$(cat "$T/err")" ;;
esac

echo "1..$N"
[ "$FAILED" = 0 ]
