#!/bin/sh
# Run each libFuzzer target for a bounded time; TAP output, exit 1 on a find.
# usage: run_fuzz.sh SECONDS FUZZER...
set -u
seconds=$1
shift
dir=$(dirname "$0")
n=0
failed=0
for fuzzer in "$@"; do
	n=$((n + 1))
	name=$(basename "$fuzzer")
	corpus="$dir/fuzz-corpus-$name"
	seeds="$dir/fuzz-seeds/$name"
	mkdir -p "$corpus"
	log="$corpus.log"
	# -rss_limit_mb: the VM-less CI box is shared; one worker, bounded memory
	if "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 \
		-artifact_prefix="$dir/" "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) \
		>"$log" 2>&1; then
		runs=$(grep -ao 'Done [0-9]* runs' "$log" | tail -n 1)
		echo "ok $n - fuzz_${name#fuzz_} ($runs in ${seconds}s)"
	else
		failed=$((failed + 1))
		echo "not ok $n - fuzz_${name#fuzz_}"
		sed 's/^/# /' "$log" | tail -n 40
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
