#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every nfct helper command against our kernel, in a network namespace of
# its own: add (defaults, every option), get, list, update, enable, disable,
# delete, flush, and the errors users meet (EBUSY clash with an in-kernel
# helper, EBUSY on update and on delete of a helper a rule uses, ENOENT,
# EPERM), each with its documented exit code and explanation.

# Run in a network namespace of our own: no "ip netns exec" per command,
# which costs seconds in the emulated VM. It goes away with the test.
if [ "${1:-}" != --in-netns ]; then
	exec unshare --net "$0" --in-netns
fi
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/nfct/tests/json_checks.sh"
ip link set lo up

NFCT=$REPO/tools/nfct/nfct
NS2=nfcth2-$$	# a second namespace, for isolation
LOADED_FTP_MODULE=""

eval "lib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	lib_cleanup
	[ -z "$LOADED_FTP_MODULE" ] || rmmod nf_conntrack_ftp 2>/dev/null
	LOADED_FTP_MODULE=""
}

[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
"$NFCT" helper list >"$T/out" 2>"$T/err"
case $? in
0) ;;
3) skip_all "kernel without nfnetlink_cthelper" ;;
*) not_ok "helper list works" "$(cat "$T/err")"; tap_done ;;
esac

# nfct_in [-n NS] WANT_EXIT NAME ARGS...: run nfct (in NS); stdout in
# $T/out, stderr in $T/err; a TAP failure (with both) unless it exits
# WANT_EXIT.
nfct_in() {
	local run=() want name rc
	if [ "$1" = -n ]; then
		run=(ip netns exec "$2")
		shift 2
	fi
	want=$1 name=$2
	shift 2
	"${run[@]}" "$NFCT" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" = "$want" ] && return 0
	not_ok "$name" "nfct $* exited $rc, wanted $want: $(cat "$T/err" "$T/out")"
	return 1
}

# json_ok NAME PYTHON: PYTHON asserts on d, the JSON now in $T/out
# (checked at the end, by one python3).
json_ok() {
	json_check "$1" "$T/out" "$2"
}

err_ok() {
	if grep -q -- "$2" "$T/err"; then ok "$1"; else not_ok "$1" "stderr: $(cat "$T/err")"; fi
}

# Helpers per network namespace is a feature of our series; upstream's
# table is global.
pernet=""
kernel_src_has net_generic net/netfilter/nfnetlink_cthelper.c && pernet=1

if [ -z "$pernet" ]; then
	skip "a new namespace has no user-space helpers" "helpers are global in this kernel"
elif nfct_in 0 "list of a new namespace" -o json helper list; then
	json_ok "a new namespace has no user-space helpers" "assert d == []"
fi

# add with conntrack-tools' defaults
if nfct_in 0 "helper add ftp inet tcp" helper add ftp inet tcp &&
	nfct_in 0 "get ftp inet tcp" -o json helper get ftp inet tcp; then
	json_ok "add ftp inet tcp: conntrack-tools defaults, disabled, queue 0, fail-open" "
h = d[0]
assert len(d) == 1 and h['name'] == 'ftp' and h['family'] == 'inet' and h['protocol'] == 'tcp'
assert h['priv_data_len'] == 24 and h['queue'] == 0 and h['status'] == 'disabled'
assert h['fail_closed'] is False
assert h['policies'] == [{'name': 'ftp', 'max_expected': 1, 'timeout': 300}]"
fi

# add with every option, IPv6
if kernel_src_has NFCTH_F_FAIL_CLOSED include/uapi/linux/netfilter/nfnetlink_cthelper.h; then
	closed=fail-closed want_closed=True
else
	closed="" want_closed=False
fi
if nfct_in 0 "add with every option" helper add ftp inet6 tcp queue 2 \
	policy ftp max 2 timeout 60 policy ftp-data max 4 timeout 30 \
	priv-data-len 32 status enabled $closed exclusive &&
	nfct_in 0 "get ftp inet6 tcp" -o json helper get ftp inet6 tcp; then
	json_ok "every option reaches the kernel (queue, 2 classes, priv 32, enabled${closed:+, fail-closed})" "
h = d[0]
assert h['family'] == 'inet6' and h['queue'] == 2 and h['status'] == 'enabled'
assert h['priv_data_len'] == 32 and h['fail_closed'] is $want_closed
assert h['policies'] == [{'name': 'ftp', 'max_expected': 2, 'timeout': 60},
                         {'name': 'ftp-data', 'max_expected': 4, 'timeout': 30}]"
fi

if nfct_in 1 "exclusive add of an existing helper fails" helper add ftp inet6 tcp \
	policy ftp max 2 timeout 60 policy ftp-data max 4 timeout 30 priv-data-len 32 exclusive; then
	err_ok "exclusive add: EEXIST explained" "drop 'exclusive'"
fi

if nfct_in 0 "get ftp (both families)" -o json helper get ftp; then
	json_ok "get by name shows the helper of each family" \
		"assert sorted(h['family'] for h in d) == ['inet', 'inet6']"
fi
if nfct_in 0 "get ftp inet6" -o json helper get ftp inet6; then
	json_ok "get by name and family" "assert [h['family'] for h in d] == ['inet6']"
fi

# update: queue and limits; then what the kernel refuses to change
if nfct_in 0 "update queue and limits" helper update ftp inet tcp queue 5 \
	policy ftp max 3 timeout 120 &&
	nfct_in 0 "get after update" -o json helper get ftp inet tcp; then
	json_ok "update changed queue and limits, kept the rest" "
h = d[0]
assert h['queue'] == 5 and h['priv_data_len'] == 24 and h['status'] == 'disabled'
assert h['policies'] == [{'name': 'ftp', 'max_expected': 3, 'timeout': 120}]"
fi
if nfct_in 1 "update renaming a class is refused" helper update ftp inet tcp \
	policy other max 1 timeout 1; then
	err_ok "update EBUSY: explains what cannot change" "cannot change the number of classes"
fi
if nfct_in 1 "add over an existing helper with other private data" \
	helper add ftp inet tcp priv-data-len 8; then
	err_ok "add EBUSY names the existing helper's settings" \
		"exists with classes \[ftp\] and 24 bytes"
fi
if [ -n "$closed" ] &&
	nfct_in 0 "update fail-open" helper update ftp inet6 tcp fail-open &&
	nfct_in 0 "get after fail-open" -o json helper get ftp inet6 tcp; then
	json_ok "update fail-open clears fail-closed" "assert d[0]['fail_closed'] is False"
fi

# max 0: no limit per connection, accepted as upstream's nfct and kernel do
if nfct_in 0 "add with max 0" helper add nolimit inet udp policy nolimit max 0 timeout 30 &&
	nfct_in 0 "get after add with max 0" -o json helper get nolimit inet udp; then
	json_ok "max 0 reaches the kernel and is dumped as 0" "
assert d[0]['policies'] == [{'name': 'nolimit', 'max_expected': 0, 'timeout': 30}]"
fi
nfct_in 0 "delete nolimit" helper delete nolimit inet udp

# enable / disable
if nfct_in 0 "enable" helper enable ftp inet tcp &&
	nfct_in 0 "get after enable" -o json helper get ftp inet tcp; then
	json_ok "enable sets status enabled" "assert d[0]['status'] == 'enabled'"
fi
if nfct_in 0 "disable" helper disable ftp inet tcp &&
	nfct_in 0 "get after disable" -o json helper get ftp inet tcp; then
	json_ok "disable sets status disabled" "assert d[0]['status'] == 'disabled'"
fi
if nfct_in 5 "enable of a missing helper exits 5" helper enable nosuch inet tcp; then
	err_ok "enable of a missing helper: no such helper" "no user-space helper named 'nosuch'"
fi
if nfct_in 0 "list after enable of a missing helper" -o json helper list; then
	json_ok "enable of a missing helper created nothing" \
		"assert 'nosuch' not in [h['name'] for h in d]"
fi

# the table and conntrack-tools' format
if nfct_in 0 "list (table)" helper list; then
	if head -1 "$T/out" | grep -q '^NAME  *FAMILY  *PROTO  *QUEUE  *STATUS  *MODE  *PRIV  *POLICIES$' &&
		grep -q '^ftp  *inet  *tcp  *5  *disabled  *fail-open  *24  *ftp max 3 timeout 120s$' "$T/out"; then
		ok "list table: header and one row per helper"
	else
		not_ok "list table: header and one row per helper" "$(cat "$T/out")"
	fi
fi
if nfct_in 0 "get (compat)" -o compat helper get ftp inet tcp; then
	printf '{\n\t.name = ftp,\n\t.queuenum = 5,\n\t.l3protonum = 2,\n\t.l4protonum = 6,\n\t.priv_data_len = 24,\n\t.status = disabled,\n};\n' >"$T/want"
	if cmp -s "$T/want" "$T/out"; then
		ok "compat output as conntrack-tools prints it"
	else
		not_ok "compat output as conntrack-tools prints it" "$(diff "$T/want" "$T/out")"
	fi
fi

# a helper a rule uses cannot be deleted
if iptables -t raw -A OUTPUT -p tcp --dport 21 -j CT --helper ftp 2>"$T/ipt"; then
	if nfct_in 1 "delete of a helper a rule uses fails" helper delete ftp inet tcp; then
		err_ok "delete EBUSY: still referenced by a rule" "still referenced by a rule"
	fi
	iptables -t raw -F OUTPUT
else
	skip "delete of a helper a rule uses fails" "iptables CT --helper: $(cat "$T/ipt")"
fi
if nfct_in 0 "delete ftp inet tcp" helper delete ftp inet tcp &&
	nfct_in 5 "get after delete exits 5" helper get ftp inet tcp; then
	ok "delete removes exactly that helper"
fi
if nfct_in 5 "delete of a missing helper exits 5" helper delete ftp inet tcp; then
	err_ok "delete of a missing helper: explained" "no user-space helper named 'ftp'"
fi

# permissions: CAP_NET_ADMIN is needed
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NFCT" helper list >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 4 ] && grep -q CAP_NET_ADMIN "$T/err"; then
		ok "without CAP_NET_ADMIN: exit 4 naming the capability"
	else
		not_ok "without CAP_NET_ADMIN: exit 4 naming the capability" "exit $rc: $(cat "$T/err")"
	fi
else
	skip "without CAP_NET_ADMIN: exit 4" "setpriv not installed"
fi

# flush
nfct_in 0 "add tftp" helper add tftp inet udp
if nfct_in 0 "flush" helper flush &&
	nfct_in 0 "list after flush" -o json helper list; then
	json_ok "flush deletes every helper of the namespace" "assert d == []"
fi

# namespaces: a helper is visible in its own namespace only
netns_add "$NS2"
nfct_in 0 "add a helper to the first namespace" helper add iso inet udp
if [ -z "$pernet" ]; then
	skip "helpers of one namespace are not visible in another" "helpers are global in this kernel"
elif nfct_in -n "$NS2" 0 "list in another namespace" -o json helper list; then
	json_ok "helpers of one namespace are not visible in another" "assert d == []"
fi

# clash with an in-kernel helper of the same name and protocol (no
# user-space ftp anywhere now, so that loading the module cannot clash)
nfct_in 0 "flush before loading nf_conntrack_ftp" helper flush
if ! grep -q '^nf_conntrack_ftp ' /proc/modules 2>/dev/null; then
	{ modprobe nf_conntrack_ftp || insmod "$LINUX/net/netfilter/nf_conntrack_ftp.ko"; } \
		2>/dev/null && LOADED_FTP_MODULE=1
fi
if grep -q '^nf_conntrack_ftp ' /proc/modules 2>/dev/null; then
	if nfct_in -n "$NS2" 1 "add ftp inet tcp while nf_conntrack_ftp is loaded" helper add ftp inet tcp; then
		err_ok "EBUSY clash names the in-kernel helper and its module" \
			"in-kernel helper 'ftp' (module nf_conntrack_ftp)"
	fi
	[ -z "$LOADED_FTP_MODULE" ] || { rmmod nf_conntrack_ftp && LOADED_FTP_MODULE=""; }
else
	skip "EBUSY clash with an in-kernel helper" "nf_conntrack_ftp not available"
fi

json_checks_run
tap_done
