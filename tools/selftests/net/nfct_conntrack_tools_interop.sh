#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Our nfct and Debian's (conntrack-tools 1.4.7) against our kernel: the
# same command sequence run with each tool leaves the same helpers in the
# kernel, and each tool reads what the other wrote (conntrack-tools' text
# equals ours with -o compat), including helpers with our extensions.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/nfct/tests/json_checks.sh"

NFCT=$REPO/tools/nfct/nfct
DEBIAN_NFCT=/usr/sbin/nfct
OURS=nfcto-$$ THEIRS=nfctd-$$ MIXED=nfctm-$$

[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built (make tools)"
[ -x "$DEBIAN_NFCT" ] || skip_all "Debian's nfct not installed"
netns_add "$OURS" && netns_add "$THEIRS" && netns_add "$MIXED" ||
	skip_all "cannot create network namespaces"
nsx "$OURS" "$NFCT" helper list >/dev/null 2>&1
[ $? = 3 ] && skip_all "kernel without nfnetlink_cthelper"
# The namespaces keep the two tools apart only with per-namespace helpers.
kernel_src_has net_generic net/netfilter/nfnetlink_cthelper.c ||
	skip_all "helpers are global in this kernel"

# The sequence, in conntrack-tools' grammar, which both tools accept.
SEQUENCE=(
	"add helper ftp inet tcp"
	"add helper tftp inet udp"
	"add helper ftp inet6 tcp"
	"add helper sane inet tcp"
	"add helper rpc inet udp"
	"disable helper ftp inet tcp"
	"delete helper sane inet tcp"
	"helper delete rpc"
)

run_sequence() {
	local ns=$1 tool=$2 cmd
	for cmd in "${SEQUENCE[@]}"; do
		# shellcheck disable=SC2086 # the words of the command
		if ! nsx "$ns" "$tool" $cmd >"$T/seq.out" 2>&1; then
			not_ok "$tool $cmd" "$(cat "$T/seq.out")"
			return 1
		fi
	done
}

if run_sequence "$OURS" "$NFCT" && run_sequence "$THEIRS" "$DEBIAN_NFCT"; then
	# Both namespaces as read by our nfct, compared by one JSON check.
	{
		echo '{"ours": '
		nsx "$OURS" "$NFCT" -o json helper list
		echo ', "theirs": '
		nsx "$THEIRS" "$NFCT" -o json helper list
		echo '}'
	} >"$T/both.json"
	json_check "the same sequence leaves the same helpers with either tool" "$T/both.json" "
key = lambda h: (h['name'], h['l3proto'])
assert d['ours'], 'no helpers'
assert sorted(d['ours'], key=key) == sorted(d['theirs'], key=key), d"
	json_check "the sequence's result is the expected one" "$T/both.json" "
h = {(x['name'], x['family']): x for x in d['ours']}
assert sorted(h) == [('ftp', 'inet'), ('ftp', 'inet6'), ('tftp', 'inet')], sorted(h)
assert h[('ftp', 'inet')]['status'] == 'disabled'
assert h[('ftp', 'inet')]['priv_data_len'] == 24"
fi

# Each tool reads what the other wrote: their text, our -o compat.
for ns in "$OURS" "$THEIRS"; do
	nsx "$ns" "$DEBIAN_NFCT" list helper >"$T/theirs.txt" 2>&1
	nsx "$ns" "$NFCT" -o compat helper list >"$T/ours.txt" 2>&1
	what="helpers written by $([ "$ns" = "$OURS" ] && echo our || echo "conntrack-tools'") nfct"
	if [ -s "$T/ours.txt" ] && cmp -s "$T/ours.txt" "$T/theirs.txt"; then
		ok "both tools read the $what alike"
	else
		not_ok "both tools read the $what alike" "$(diff "$T/theirs.txt" "$T/ours.txt")"
	fi
done

# Our extensions stay readable for conntrack-tools, and what it changes
# leaves them alone.
extra=""
kernel_src_has NFCTH_F_FAIL_CLOSED include/uapi/linux/netfilter/nfnetlink_cthelper.h &&
	extra=fail-closed
if nsx "$MIXED" "$NFCT" helper add sip inet udp 3 policy signalling max 2 timeout 60 \
	policy media max 8 timeout 180 priv-data-len 8 status enabled $extra 2>"$T/err" &&
	nsx "$MIXED" "$DEBIAN_NFCT" get helper sip inet udp >"$T/theirs.txt" 2>&1 &&
	grep -q '\.queuenum = 3,' "$T/theirs.txt" &&
	grep -q '\.status = enabled,' "$T/theirs.txt"; then
	ok "conntrack-tools reads a helper with two classes${extra:+ and NFCTH_FLAGS}"
else
	not_ok "conntrack-tools reads a helper with two classes${extra:+ and NFCTH_FLAGS}" \
		"$(cat "$T/err" "$T/theirs.txt" 2>/dev/null)"
fi
# conntrack-tools only disables the helpers it knows: ftp.
if nsx "$MIXED" "$NFCT" helper add ftp inet6 tcp queue 4 policy ftp max 2 timeout 60 \
	status enabled $extra 2>"$T/err" &&
	nsx "$MIXED" "$DEBIAN_NFCT" disable helper ftp inet6 tcp 2>>"$T/err" &&
	nsx "$MIXED" "$NFCT" -o json helper get ftp inet6 tcp >"$T/ftp6.json" 2>>"$T/err"; then
	json_check "conntrack-tools disables our helper; queue, limits and flags stay" "$T/ftp6.json" "
h = d[0]
assert h['status'] == 'disabled' and h['queue'] == 4
assert h['policies'] == [{'name': 'ftp', 'max_expected': 2, 'timeout': 60}]
assert h['fail_closed'] is ('$extra' == 'fail-closed')"
else
	not_ok "conntrack-tools disables our helper" "$(cat "$T/err" 2>/dev/null)"
fi

json_checks_run
tap_done
