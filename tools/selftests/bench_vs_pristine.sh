#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The control-plane benchmark on our kernel and on the pristine Debian
# kernel (same config, built by `make kernel-pristine`), one VM boot each,
# printed side by side with the ratio pristine/ours.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$repo/build}
pristine=$BUILD/linux-pristine/arch/x86/boot/bzImage
bench=tools/selftests/bench/cthelper_control_plane.sh
out=$BUILD/bench-vs-pristine

[ -f "$pristine" ] || { echo "no $pristine: make kernel-pristine" >&2; exit 1; }
cd "$repo"
rm -rf "$out"
tools/selftests/vm/run.sh -t 900 -o "$out/ours" "$bench" >/dev/null
tools/selftests/vm/run.sh -t 900 -k "$pristine" -o "$out/pristine" "$bench" >/dev/null

# "# # add_1000 0.081 s" and "# # quiet get_median 0.018 ms" lines.
figures() {
	sed -n 's/^# # \(quiet\|loaded\) /\1_/p; s/^# # \([a-z_0-9]* [0-9.]* *[a-z]*\)$/\1/p' "$1"
}
figures "$out/ours/tap" >"$out/ours.txt"
figures "$out/pristine/tap" >"$out/pristine.txt"
awk 'NR == FNR { ours[$1] = $2; unit[$1] = $3; next }
	$1 in ours {
		ratio = ours[$1] > 0 ? sprintf("%.1f", $2 / ours[$1]) : "-"
		printf "%-20s %12s %12s %-3s %10s\n", $1, ours[$1], $2, unit[$1], ratio
	}
	BEGIN { printf "%-20s %12s %12s %-3s %10s\n", "figure", "ours", "pristine", "", "pristine/ours" }' \
	"$out/ours.txt" "$out/pristine.txt"
