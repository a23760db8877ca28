#!/bin/bash
# Run the host unit tests and the VM selftests; print their TAP and end with
# the line "N passed, N failed, N skipped". Exits 1 on any failure.
#
# usage: run_tests.sh [--host] [--vm] [-v]
#   --host  only the host unit tests: the commands in host-tests.list
#   --vm    only the VM tests: the demo (demo_ftp.sh) and every executable
#           tools/selftests/net/*.sh, all in one boot of $LINUX's kernel
#           (tools/selftests/vm/run.sh)
#   -v      stream the VM's serial console
#
# Counting: each TAP line a test prints ("ok N - name", "not ok N - name",
# "ok N - name # SKIP why") counts once. A test whose exit status says it
# failed (or that timed out) without printing a "not ok" line counts as one
# failure; one that printed no result line counts once by its exit status.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
LINUX=${LINUX:-$BUILD/linux}
SELFTESTS_BIN=${SELFTESTS_BIN:-$BUILD/selftests}
export REPO BUILD LINUX SELFTESTS_BIN
host=1 vm=1 verbose=""
for arg in "$@"; do
	case $arg in
	--host) vm=0 ;;
	--vm) host=0 ;;
	-v) verbose=-v ;;
	*) sed -n '3,10s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done

mkdir -p "$BUILD"
tap=$(mktemp "$BUILD/run_tests.XXXXXX")
trap 'rm -f "$tap"' EXIT

# Host tests: one command per line, run from the repository root.
run_host_tests() {
	local list=$REPO/tools/selftests/host-tests.list cmds n=0 out rc
	mapfile -t cmds < <(grep -v '^[[:space:]]*\(#\|$\)' "$list")
	echo "TAP version 13"
	echo "1..${#cmds[@]}"
	out=$(mktemp)
	for cmd in "${cmds[@]}"; do
		n=$((n + 1))
		echo "# selftests: $cmd"
		(cd "$REPO" && timeout -k 10 "${TEST_TIMEOUT:-300}" sh -c "$cmd") </dev/null >"$out" 2>&1
		rc=$?
		sed 's/^/# /' "$out"
		case $rc in
		0) echo "ok $n selftests: $cmd" ;;
		4) echo "ok $n selftests: $cmd # SKIP" ;;
		124 | 137) echo "not ok $n selftests: $cmd # TIMEOUT" ;;
		*) echo "not ok $n selftests: $cmd # exit=$rc" ;;
		esac
	done
	rm -f "$out"
}

if [ "$host" = 1 ]; then
	echo "# host unit tests"
	run_host_tests | tee -a "$tap"
fi
if [ "$vm" = 1 ]; then
	echo "# VM selftests (kernel $LINUX)"
	# The demo (make demo) first: run by make check, it cannot break
	# unnoticed.
	tests=(tools/selftests/demo_ftp.sh)
	for t in "$REPO"/tools/selftests/net/*.sh; do
		[ -x "$t" ] && tests+=("${t#"$REPO"/}")
	done
	"$REPO/tools/selftests/vm/run.sh" $verbose "${tests[@]}" | tee -a "$tap"
	rc=${PIPESTATUS[0]}
	# run.sh says "not ok" for whatever failed in the VM; anything else
	# (no kernel, bad usage) must still fail the run.
	if [ "$rc" != 0 ] && ! grep -q '^not ok' "$tap"; then
		echo "not ok 1 selftests: vm/run.sh # exit=$rc" | tee -a "$tap"
	fi
fi

awk '
/^(not )?ok [0-9]/ {
	if (/^not ok/) { if (!subfail) failed++ }
	else if (!subs) { if (/# SKIP/) skipped++; else passed++ }
	subs = subfail = 0
	next
}
/^# (not )?ok [0-9]/ {
	subs++
	if (/^# not ok/) { failed++; subfail++ }
	else if (/# SKIP/) skipped++
	else passed++
}
END {
	printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
	exit failed > 0
}' "$tap"
