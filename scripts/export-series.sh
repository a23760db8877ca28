#!/bin/sh
# The reverse of mkseries.sh, for kernel work done as commits in the kernel
# tree: write each commit of pristine..series back into series/NN-slug/.
# Files listed in series/ours are kept whole at their in-tree path in this
# repository, as the last patch that touches them leaves them: that patch
# lists them in its `files` and mkseries.sh copies them whole. Earlier
# patches that touch such a file (a change split over several patches)
# carry their edits of it as diffs in their upstream.diff, like edits to
# every other file. So editing the whole file here changes the last patch
# that touches it; to change an earlier one, commit in the kernel tree
# and export again. The submitter's own Signed-off-by
# (the tree's git identity, which mkseries.sh adds back) is left out of the
# messages.
#
# usage: export-series.sh WORK_TREE
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
ours="$repo/series/ours"

cd "$tree"
signoff="Signed-off-by: $(git config user.name) <$(git config user.email)>"
# Refuse to lose work: every change must be committed in the kernel tree.
git diff --quiet HEAD || { echo "export-series: uncommitted changes in $tree" >&2; exit 1; }

# Start from scratch so renamed or dropped patches disappear.
for d in "$repo"/series/[0-9][0-9][0-9][0-9]-*; do
	[ -d "$d" ] && rm -rf "$d"
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed -n '/^#/p' "$repo/series/series" > "$tmp"
for c in $(git rev-list --reverse pristine..series); do
	n=$(git rev-list --count pristine.."$c")
	name=$(printf '%04d-%s' "$n" "$(git log -1 --format=%f "$c" | cut -c1-52)")
	echo "$name" >> "$tmp"
	dir="$repo/series/$name"
	mkdir -p "$dir"
	# Drop that trailer, and the blank line before it if it was alone.
	git log -1 --format=%B "$c" | awk -v sob="$signoff" '
		$0 == sob { dropped = 1; next }
		{ line[++n] = $0 }
		END {
			for (i = 1; i <= n; i++) {
				if (dropped && line[i] == "" &&
				    (i == n || line[i + 1] == "---" || (i + 1 == n && line[n] == "")))
					continue
				print line[i]
			}
		}' > "$dir/message"
	whole=""
	upstream=""
	for f in $(git diff-tree --no-commit-id --name-only -r "$c"); do
		if grep -qx "$f" "$ours" 2>/dev/null &&
		   [ "$(git log -1 --format=%H pristine..series -- "$f")" = "$(git rev-parse "$c")" ]; then
			whole="$whole $f"
			mkdir -p "$repo/$(dirname "$f")"
			git show "$c:$f" > "$repo/$f"
		else
			upstream="$upstream $f"
		fi
	done
	if [ -n "$whole" ]; then
		printf '%s\n' $whole > "$dir/files"
	fi
	if [ -n "$upstream" ]; then
		git diff "$c~1" "$c" -- $upstream > "$dir/upstream.diff"
	fi
done
cp "$tmp" "$repo/series/series"
echo "exported: $(grep -vc '^#' "$repo/series/series") patches"
