#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Two FTP clients behind one SNAT announce the same PORT to one server. The
# first one's expectation is still pending when the second announces: the
# second must be told another port, or the server's data connection for it
# matches the first one's expectation and lands at the first client (its
# file to someone else). With cthelperd, and the in-kernel nf_conntrack_ftp
# + nf_nat_ftp as the reference (nf_nat_exp_find_port()).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack vsftpd curl nft /usr/bin/python3
ftp_setup
CLI4B=10.0.1.3
ip -n "$C" addr add $CLI4B/24 dev eth0
fw_filter "$F" iptables
fw_nat "$F" snat

# clash WHO [CMD...]: the holder announces 40000 and waits; CMD runs; the
# other downloads with the same port; then the holder checks that nothing
# reached it.
clash() {
	_who=$1; shift
	rm -f "$T/ready" "$T/go"
	spawn "$C" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/port_holder_client.py" \
		$SRV4 $CLI4 40000 "$T/ready" "$T/go"
	_holder=$!
	retry 50 test -e "$T/ready" || { not_ok "$_who: the first client's PORT is pending"; return; }
	[ $# -eq 0 ] || "$@"
	set -- "$_who"
	nsx "$F" conntrack -L expect 2>/dev/null | sed 's/^/# expectation: /'
	check "$1: the second client, same PORT behind the same SNAT, gets its file" \
		ftp_get "$C" "ftp://$SRV4" --interface $CLI4B --ftp-port $CLI4B:40000-40000 --disable-eprt
	touch "$T/go"
	check "$1: nothing reached the first client's port" wait $_holder
}

cthelperd_start "$F" --helper ftp --family inet --register ||
	{ not_ok "cthelperd starts"; tap_done; }
helper_assign "$F" iptables PREROUTING 4
clash cthelperd
check "cthelperd: no expectation refused by the kernel" \
	test "$(cthelperd_counter kernel_errors)" = 0

# the daemon restarted while the first expectation is pending: it finds the
# port in the kernel at start, not in a memory of its own
restart() {
	cthelperd_kill9
	cthelperd_start "$F" --helper ftp --family inet
}
clash "cthelperd restarted in between" restart
check "cthelperd restarted: no expectation refused by the kernel" \
	test "$(cthelperd_counter kernel_errors)" = 0

if cthelperd_to_kernel_ftp "$F"; then
	nsx "$F" conntrack -F >/dev/null 2>&1
	helper_assign "$F" iptables PREROUTING 4
	clash nf_conntrack_ftp
	kernel_ftp_unload "$F"
else
	skip "nf_conntrack_ftp with the same clients" "the modules cannot be loaded"
fi
tap_done
