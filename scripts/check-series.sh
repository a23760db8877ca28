#!/bin/sh
# Check that every patch of the series builds on its own: in a separate
# worktree of the kernel tree, with the VM config, build net/ after each
# patch with W=1 and fail on any warning in the files the patch touches,
# or on anything checkpatch.pl --strict reports. The pinned tree is a
# Debian source tarball without upstream history, so checkpatch cannot
# look up the commits that Fixes: tags and messages name: its
# UNKNOWN_COMMIT_ID warning is ignored (check those ids by hand, against
# upstream's history, when a message names one).
#
# usage: check-series.sh WORK_TREE
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$(realpath "$1")
check=$tree-check
[ -f "$tree/.config" ] || { echo "check-series: build the kernel first (make kernel)" >&2; exit 1; }

# A repository of its own (make series replaces the tree's .git), fetched
# from the tree on every run; its build products are kept.
if ! git -C "$check" rev-parse -q --git-dir >/dev/null 2>&1 ||
   [ "$(git -C "$check" rev-parse --show-toplevel)" != "$check" ]; then
	mkdir -p "$check"
	rm -rf "$check/.git"
	git -C "$check" init -q
fi
git -C "$check" fetch -q "$tree" +series:refs/heads/check +pristine:refs/heads/base
cp "$tree/.config" "$check/.config"
cc=gcc
command -v ccache >/dev/null 2>&1 && cc="ccache gcc"

status=0
for c in $(git -C "$check" rev-list --reverse base..check); do
	git -C "$check" checkout -q -f --detach "$c"
	subject=$(git -C "$check" log -1 --format=%s "$c")
	log=$check/build-$c.log
	if ! make -C "$check" CC="$cc" -j"${JOBS:-2}" W=1 olddefconfig net/ >"$log" 2>&1; then
		echo "FAIL (build) $subject: $log"
		status=1
		continue
	fi
	files=$(git -C "$check" diff-tree --no-commit-id --name-only -r "$c" | grep '\.[ch]$' || true)
	warned=""
	for f in $files; do
		grep -q "^$f:[0-9]*:[0-9]*: warning" "$log" && warned="$warned $f"
	done
	if [ -n "$warned" ]; then
		echo "FAIL (W=1 warnings in$warned) $subject"
		status=1
	elif ! git -C "$check" format-patch -1 --stdout -O"$repo/series/orderfile" "$c" |
	     PATH=/usr/bin:$PATH "$tree/scripts/checkpatch.pl" --strict -q \
		--ignore UNKNOWN_COMMIT_ID - \
	     >"$log.checkpatch" 2>&1; then
		echo "FAIL (checkpatch --strict: $log.checkpatch) $subject"
		status=1
	else
		echo "ok   $subject"
	fi
done
exit $status
