#!/bin/sh
# Build the kernel series from the repository: start from the pristine tree,
# then for every patch directory listed in series/series apply its diffs
# (edits to upstream files) and copy the whole files it names (files that are
# ours), commit with its message. Emit the result with git format-patch.
#
# The patches are the submitter's: author and Signed-off-by come from this
# repository's `git config user.name` / `user.email`, as with `git
# format-patch -s`; the messages in series/ carry no Signed-off-by of theirs.
# The trailer goes before a message's "---" notes, which git am drops.
#
# Concurrent runs on the same WORK_TREE wait for each other (WORK_TREE.lock).
#
# usage: mkseries.sh PRISTINE_TREE WORK_TREE OUT_DIR
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
pristine=$1
tree=$(realpath -m "$2")
out=$(realpath -m "$3")

name=$(git -C "$repo" config user.name || true)
email=$(git -C "$repo" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	echo "mkseries: set the submitter's identity first:" \
	     "git config user.name 'Your Name'; git config user.email you@example.org" >&2
	exit 1
fi
signoff="Signed-off-by: $name <$email>"
gitc() { git -c user.name="$name" -c user.email="$email" "$@"; }

mkdir -p "$(dirname "$tree")"
exec 9>"$tree.lock"
flock -w 3600 9 || { echo "mkseries: $tree.lock still held after an hour" >&2; exit 1; }

rm -rf "$tree.tmp"
git clone -q --no-checkout "$pristine" "$tree.tmp"
(cd "$tree.tmp" && git checkout -q -b series origin/pristine)

grep -v '^#' "$repo/series/series" | while read -r patch; do
	[ -n "$patch" ] || continue
	dir="$repo/series/$patch"
	for d in "$dir"/*.diff; do
		[ -e "$d" ] || continue
		(cd "$tree.tmp" && git apply --whitespace=error-all "$d") ||
			{ echo "mkseries: $d does not apply" >&2; exit 1; }
	done
	if [ -f "$dir/files" ]; then
		grep -v '^#' "$dir/files" | while read -r f; do
			[ -n "$f" ] || continue
			mkdir -p "$tree.tmp/$(dirname "$f")"
			cp "$repo/$f" "$tree.tmp/$f"
		done
	fi
	git interpret-trailers --if-exists addIfDifferent --trailer "$signoff" \
		"$dir/message" > "$tree.msg"
	(cd "$tree.tmp" && gitc add -A . && gitc commit -q -F "$tree.msg")
done

# Keep the build products of an existing tree: swap only the sources.
if [ -d "$tree/.git" ]; then
	rm -rf "$tree/.git"
	mv "$tree.tmp/.git" "$tree/.git"
	rm -rf "$tree.tmp"
	# Refresh first so that files whose content did not change keep their
	# timestamps and make rebuilds only what the series changed.
	(cd "$tree" && git update-index -q --refresh >/dev/null || true;
	 git reset -q --hard series && git clean -q -f -d)
else
	mv "$tree.tmp" "$tree"
	(cd "$tree" && git checkout -q -f series)
fi

rm -f "$tree.msg"
# Commits made by hand in the tree carry the submitter's identity too.
git -C "$tree" config user.name "$name"
git -C "$tree" config user.email "$email"

rm -rf "$out"
mkdir -p "$out"
(cd "$tree" && git format-patch -q -O"$repo/series/orderfile" -o "$out" pristine..series)
ls "$out"
