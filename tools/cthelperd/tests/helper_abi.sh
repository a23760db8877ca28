#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The plugin ABI guard: helper.h is what compiled plugins see, so any
# change to it other than in comments or blank space must come with a new
# CTHD_HELPER_ABI (cthelperd then refuses plugins built against the old
# header instead of running them on a different layout). helper.abi records
# the ABI number and a digest of the header without its comments; this
# test fails when they disagree.
#
#   tests/helper_abi.sh            check (TAP)
#   tests/helper_abi.sh --update   record the current header (after a bump)
set -u
cd "$(dirname "$0")/.." || exit 1
CC=${CC:-cc}

abi=$(sed -n 's/^#define CTHD_HELPER_ABI[[:space:]]*\([0-9]*\).*/\1/p' helper.h)
# comments out (the preprocessor, without expanding anything), blanks squeezed
digest=$($CC -fpreprocessed -dD -E -P -x c helper.h 2>/dev/null | tr -s ' \t\n' '   ' | sha256sum | cut -d' ' -f1)

if [ "${1:-}" = --update ]; then
	[ -n "$abi" ] || { echo "helper.h: no CTHD_HELPER_ABI" >&2; exit 1; }
	echo "$abi $digest" >helper.abi
	echo "helper.abi: ABI $abi, $digest"
	exit 0
fi

echo "TAP version 13"
rec_abi=$(cut -d' ' -f1 helper.abi 2>/dev/null)
rec_digest=$(cut -d' ' -f2 helper.abi 2>/dev/null)
if [ -z "$abi" ] || [ -z "$digest" ]; then
	echo "not ok 1 - helper.h defines CTHD_HELPER_ABI and preprocesses"
elif [ "$abi" = "$rec_abi" ] && [ "$digest" = "$rec_digest" ]; then
	echo "ok 1 - helper.h is the header of ABI $abi (helper.abi)"
elif [ "$abi" = "$rec_abi" ]; then
	echo "not ok 1 - helper.h changed without a CTHD_HELPER_ABI bump"
	echo "# plugins built against ABI $abi would run on a different header: increment"
	echo "# CTHD_HELPER_ABI in helper.h, then run tools/cthelperd/tests/helper_abi.sh --update"
else
	echo "not ok 1 - CTHD_HELPER_ABI is $abi, helper.abi records ${rec_abi:-nothing}"
	echo "# run tools/cthelperd/tests/helper_abi.sh --update to record the new ABI"
fi
# plugin packages depend on cthelperd-abi-N
if grep -q "^Provides: cthelperd-abi-$abi\$" ../../debian/control; then
	echo "ok 2 - debian/control: cthelperd provides cthelperd-abi-$abi"
	provides=0
else
	echo "not ok 2 - debian/control: cthelperd provides cthelperd-abi-$abi"
	echo "# make the Provides line of debian/control name the new ABI"
	provides=1
fi
echo "1..2"
[ "$abi" = "$rec_abi" ] && [ "$digest" = "$rec_digest" ] && [ "$provides" = 0 ]
