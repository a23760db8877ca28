# SPDX-License-Identifier: GPL-2.0-or-later
# Deferred JSON checks for the nfct VM tests (sourced, bash, after lib.sh).
# Starting python3 costs seconds in the emulated VM, so the checks are
# collected and run by one python3 at the end:
#
#   json_check NAME FILE PYTHON   PYTHON asserts on d, FILE's JSON; queued
#   json_checks_run               runs the queue: one ok/not_ok each
#
# NAME must not contain a double quote or a backslash.

JSON_CHECKS_PY=$T/json_checks.py
JSON_CHECKS_N=0
cat >"$JSON_CHECKS_PY" <<'PY'
import json, sys, traceback
checks = []
def run():
    for name, path, fn in checks:
        try:
            with open(path) as f:
                fn(json.load(f))
            print("ok\t" + name)
        except Exception:
            why = traceback.format_exc(limit=-1).strip().replace("\n", " | ")
            try:
                why += " | json: " + open(path).read(400).replace("\n", " ")
            except OSError:
                pass
            print("fail\t" + name + "\t" + why)
PY

json_check() {
	local name=$1 file=$2 code=$3 copy
	JSON_CHECKS_N=$((JSON_CHECKS_N + 1))
	copy=$T/json_check.$JSON_CHECKS_N
	cp "$file" "$copy" 2>/dev/null || : >"$copy"
	{
		echo "def check_$JSON_CHECKS_N(d):"
		printf '%s\n' "$code" | sed '/^[[:space:]]*$/d; s/^/    /'
		echo "checks.append((\"$name\", \"$copy\", check_$JSON_CHECKS_N))"
	} >>"$JSON_CHECKS_PY"
}

json_checks_run() {
	local result name why
	[ "$JSON_CHECKS_N" -gt 0 ] || return 0
	echo "run()" >>"$JSON_CHECKS_PY"
	python3 "$JSON_CHECKS_PY" >"$T/json_checks.out" 2>&1
	while IFS=$'\t' read -r result name why; do
		case $result in
		ok) ok "$name" ;;
		fail) not_ok "$name" "$why" ;;
		*) not_ok "json checks ran" "$result $name $why" ;;
		esac
	done <"$T/json_checks.out"
	# every queued check must have reported
	[ "$(grep -c '^\(ok\|fail\)	' "$T/json_checks.out")" = "$JSON_CHECKS_N" ] ||
		not_ok "every JSON check reported" "$(cat "$T/json_checks.out")"
}
