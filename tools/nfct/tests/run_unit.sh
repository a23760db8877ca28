#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run the nfct host unit test programs as one TAP stream (renumbered), from
# tools/nfct. Exit 0 when every test passed, 1 otherwise.
cd "$(dirname "$0")/.." || exit 1
echo "TAP version 13"
rc=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for prog in tests/test_messages tests/test_cli tests/test_output; do
	echo "# $prog"
	if [ ! -x "$prog" ]; then
		echo "not ok - $prog was not built" >>"$tmp"
		rc=1
		continue
	fi
	"$prog" >"$tmp.out" 2>&1 || rc=1
	grep -v '^1\.\.[0-9]*$' "$tmp.out" >>"$tmp"
	# a program that died before its plan counts as a failure
	grep -q '^1\.\.[0-9]*$' "$tmp.out" || { echo "not ok - $prog ended early" >>"$tmp"; rc=1; }
	rm -f "$tmp.out"
done
awk '/^(not )?ok / { n++; sub(/^(not )?ok [0-9]* ?/, (/^not/ ? "not ok " : "ok ") n " ") } { print } END { print "1.." n }' "$tmp"
exit $rc
