#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Expectation classes and max-expected limits of a user-space helper are
# enforced on expectations attached by verdicts (NFQA_EXP): a class below
# the helper's class count works, one above is refused; a second
# expectation on a master with max expected 1 evicts the first, with 2 both
# stay.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct conntrack vsftpd curl socat
ftp_setup
fw_filter "$F" iptables

# with_helper ARGS...: (re)start nfq_test_helper with ARGS on a fresh
# helper (an update cannot change the class count), assigned to port 21.
with_helper() {
	[ -z "${NFQ_PID:-}" ] || nfq_helper_stop
	nsx "$F" iptables -t raw -F
	nsx "$F" ip6tables -t raw -F
	retry 25 nsx "$F" nfct flush helper
	nsx "$F" conntrack -F expect 2>/dev/null
	nfq_helper_start "$F" "$@" && helper_assign "$F" iptables PREROUTING ||
		{ not_ok "nfq_test_helper $* starts"; tap_done; }
}

# pasv_twice: a raw FTP session asking PASV twice; prints the number of
# expectations the firewall holds while the session is still open.
pasv_twice() {
	{
		for cmd in "USER anonymous" "PASS x" PASV PASV; do
			printf '%s\r\n' "$cmd"
			sleep 0.5
		done
		nsx "$F" conntrack -L expect 2>/dev/null | grep -c "dport=300" >"$T/nexp"
		printf 'QUIT\r\n'
	} | nsx "$C" socat -t 2 - TCP:$SRV4:21 >"$T/session" 2>&1
	cat "$T/nexp"
}

with_helper -c 2 -C 1
check "class 1 of 2 classes: PASV works" ftp_pasv "$C" $SRV4

with_helper -c 2 -C 2
if ftp_pasv "$C" $SRV4 2>/dev/null; then
	not_ok "class 2 of 2 classes refused: PASV data dropped"
else
	ok "class 2 of 2 classes refused: PASV data dropped"
fi
check "no expectation of class 2 left" \
	sh -c "! ip netns exec $F conntrack -L expect 2>/dev/null | grep -q dport=300"

with_helper -c 1 -m 1
n=$(pasv_twice)
if [ "$n" = 1 ]; then ok "max expected 1: the second PASV replaces the first"
else not_ok "max expected 1: the second PASV replaces the first" "$n expectations"; fi

with_helper -c 1 -m 2
n=$(pasv_twice)
if [ "$n" = 2 ]; then ok "max expected 2: both PASV expectations kept"
else not_ok "max expected 2: both PASV expectations kept" "$n expectations"; fi

with_helper -c 4 -m 255 -C 3
check "4 classes, max 255, class 3: PASV works" \
	ftp_pasv "$C" $SRV4

nfq_helper_stop
nsx "$F" iptables -t raw -F
tap_done
