#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/mkseries.sh on a toy repository (one patch, a small pristine git
# tree): the patches carry the submitter's git identity as author and
# Signed-off-by (placed before a message's "---" notes, as git am keeps
# them), never a fixed address; without an identity it fails clearly; and
# concurrent runs on the same tree do not collide. TAP; exit 0 pass, 1 fail.
set -u
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/mkseries-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
N=0 FAILED=0
check() {	# check NAME COMMAND...
	name=$1; shift
	N=$((N + 1))
	if "$@" >"$T/log" 2>&1; then
		echo "ok $N - $name"
	else
		echo "not ok $N - $name"
		sed 's/^/#   /' "$T/log" | head -20
		FAILED=$((FAILED + 1))
	fi
}

# The submitter's identity lives in the repository's git config only.
export HOME=$T/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL

# A pristine tree: one file on branch "pristine".
mkdir -p "$T/pristine"
(cd "$T/pristine" && git init -q -b pristine . &&
 for i in $(seq 200); do echo "line $i"; done > upstream.c &&
 git add upstream.c &&
 git -c user.name=Upstream -c user.email=up@example.org commit -q -m base) ||
	{ echo "1..0 # SKIP cannot make a git repository"; exit 4; }

# A toy repository: our scripts and a one-patch series whose message has
# notes after "---" and no Signed-off-by of the submitter.
toy=$T/repo
mkdir -p "$toy/scripts" "$toy/series/0001-toy" "$toy/net"
cp "$REPO/scripts/mkseries.sh" "$toy/scripts/"
printf '0001-toy\n' > "$toy/series/series"
: > "$toy/series/orderfile"
printf 'net/ours.c\n' > "$toy/series/0001-toy/files"
echo "int ours;" > "$toy/net/ours.c"
printf 'toy: a patch\n\nWhy it is needed.\n---\nv2: a note for reviewers\n' \
	> "$toy/series/0001-toy/message"
(cd "$T/pristine" && sed 's/line 7$/line seven/' upstream.c > "$T/u.c" &&
 cp "$T/u.c" upstream.c && git diff) > "$toy/series/0001-toy/upstream.diff"
git -C "$T/pristine" checkout -q upstream.c
git -C "$toy" init -q

# Without an identity: a clear error, no patch.
check "no git identity: refused with a message" \
	sh -c "! '$toy/scripts/mkseries.sh' '$T/pristine' '$T/linux' '$T/out' 2>'$T/err' &&
	       grep -q 'user.name' '$T/err' && ! ls '$T/out'/*.patch"

git -C "$toy" config user.name "Ada Submitter"
git -C "$toy" config user.email ada@example.net
check "mkseries with the submitter's identity" \
	"$toy/scripts/mkseries.sh" "$T/pristine" "$T/linux" "$T/out"
p=$(ls "$T/out"/*.patch 2>/dev/null | head -1)
check "author is the submitter" grep -qx 'From: Ada Submitter <ada@example.net>' "${p:-/nonexistent}"
# The trailer must precede the first "---" line (git am drops what follows).
check "Signed-off-by before the notes" \
	sh -c "sed '/^---\$/q' '${p:-/nonexistent}' | grep -qx 'Signed-off-by: Ada Submitter <ada@example.net>'"
check "exactly one Signed-off-by" \
	test "$(grep -c '^Signed-off-by:' "${p:-/nonexistent}")" = 1
check "no placeholder address" sh -c "! grep -rq 'localhost' '$T/out'"
check "hand commits in the tree carry the identity too" \
	test "$(git -C "$T/linux" config user.email)" = ada@example.net
check "the patch applies with git am on the pristine tree" \
	sh -c "git clone -q '$T/pristine' '$T/am' &&
	       cd '$T/am' && git -c user.name=A -c user.email=a@b am -q '$p' &&
	       git log -1 --format=%B | grep -q 'Signed-off-by: Ada Submitter'"

# Two concurrent runs on the same tree, several times: each must succeed
# and leave a tree on branch "series" with the patch.
race_ok=1
for i in 1 2 3 4 5; do
	"$toy/scripts/mkseries.sh" "$T/pristine" "$T/linux" "$T/out1" >"$T/r1" 2>&1 & a=$!
	"$toy/scripts/mkseries.sh" "$T/pristine" "$T/linux" "$T/out2" >"$T/r2" 2>&1 & b=$!
	wait $a || { race_ok=0; cat "$T/r1"; }
	wait $b || { race_ok=0; cat "$T/r2"; }
	[ "$(git -C "$T/linux" log -1 --format=%s series 2>/dev/null)" = "toy: a patch" ] ||
		{ race_ok=0; echo "round $i: tree not on the series"; }
	[ "$race_ok" = 1 ] || break
done > "$T/race" 2>&1
check "two concurrent runs on one tree both succeed" \
	sh -c "[ $race_ok = 1 ] || { cat '$T/race'; false; }"

echo "1..$N"
[ "$FAILED" = 0 ]
