#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What the kernel series owes upstream: a whole file of ours that replaces
# an upstream file (series/ours) keeps every copyright line and
# MODULE_AUTHOR of the original, and no Kconfig help the series adds names
# an out-of-tree program. Needs the pinned pristine tree (make pristine).
# TAP; exit 0 pass, 1 fail, 4 skip.
set -u
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$REPO/build}
PRISTINE=$BUILD/pristine
if [ ! -d "$PRISTINE/net/netfilter" ]; then
	echo "1..0 # SKIP no pristine tree in $PRISTINE (make pristine)"
	exit 4
fi
N=0 FAILED=0
result() {	# result OK NAME [DETAIL]
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
		FAILED=$((FAILED + 1))
	fi
}

for f in $(grep -v '^#' "$REPO/series/ours"); do
	[ -f "$PRISTINE/$f" ] || continue
	missing=$(grep -E '\(C\)|Copyright|MODULE_AUTHOR' "$PRISTINE/$f" |
		while IFS= read -r line; do
			grep -qxF -- "$line" "$REPO/$f" || printf '%s\n' "$line"
		done)
	[ -z "$missing" ]; result $? "$f keeps upstream's copyright and MODULE_AUTHOR" "$missing"
done

# Programs outside the kernel tree that Kconfig help must not name.
named=$(cat "$REPO"/series/*/upstream.diff |
	awk '/^diff --git/ { k = ($0 ~ /Kconfig/) } k && /^\+[^+]/' |
	grep -Ei 'cthelperd|conntrackd|nfct\b|conntrack-tools' || true)
[ -z "$named" ]; result $? "Kconfig help added by the series names no out-of-tree program" "$named"

echo "1..$N"
[ "$FAILED" = 0 ]
