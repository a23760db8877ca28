#!/bin/sh
# Build the kernel series from the repository: start from the pristine tree,
# then for every patch directory listed in series/series apply its diffs
# (edits to upstream files) and copy the whole files it names (files that are
# ours), commit with its message. Emit the result with git format-patch.
#
# usage: mkseries.sh PRISTINE_TREE WORK_TREE OUT_DIR
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
pristine=$1
tree=$2
out=$(realpath -m "$3")
gitc() { git -c user.name="Cthelper Developers" -c user.email=cthelper@localhost "$@"; }

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
	(cd "$tree.tmp" && gitc add -A . && gitc commit -q -F "$dir/message")
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

# Commits made by hand in the tree carry the series' identity too.
git -C "$tree" config user.name "Cthelper Developers"
git -C "$tree" config user.email cthelper@localhost

rm -rf "$out"
mkdir -p "$out"
(cd "$tree" && git format-patch -q -O"$repo/series/orderfile" -o "$out" pristine..series)
ls "$out"
