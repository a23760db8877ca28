#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A namespace's user-space helper never keeps an in-kernel helper of the
# same name from loading. The precedence (see the Documentation page):
# in-kernel helpers are global; a user-space helper registered in a
# namespace before the in-kernel one loads keeps serving that namespace
# (it shadows the in-kernel one there and only there); once the in-kernel
# helper is loaded, registering its name in a namespace is refused (EBUSY,
# as upstream does). Checked with nf_conntrack_ftp, which must be a module:
# modprobe after a container registered "ftp", autoload from the host's
# `CT --helper ftp`, and FTP through the container's firewall still helped
# by its own daemon.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct vsftpd curl modprobe
# Our nfct for names conntrack-tools' does not know, and its error text.
NFCT=$REPO/tools/nfct/nfct
[ -x "$NFCT" ] || skip_all "tools/nfct/nfct not built"
[ -d /sys/module/nf_conntrack_ftp ] && [ ! -e /sys/module/nf_conntrack_ftp/refcnt ] &&
	skip_all "nf_conntrack_ftp is built in: it owns its name from boot"
modprobe -q -r nf_nat_ftp nf_conntrack_ftp 2>/dev/null
[ -d /sys/module/nf_conntrack_ftp ] && skip_all "nf_conntrack_ftp is loaded and in use"
modprobe -n -q nf_conntrack_ftp || skip_all "no nf_conntrack_ftp module"
ftp_setup
F3=fw3-$$
netns_add "$F3" || skip_all "cannot create namespaces"

# The container's firewall registers ftp first: its daemon does.
fw_filter "$F" iptables
nfq_helper_start "$F" -q 1 || skip_all "nfq_test_helper does not start"
helper_assign "$F" iptables PREROUTING

dmesg_mark=$(dmesg | wc -l)
check "modprobe nf_conntrack_ftp while a namespace has a user-space ftp" \
	modprobe nf_conntrack_ftp
check "the kernel logs no failed registration" \
	sh -c "! dmesg | tail -n +$((dmesg_mark + 1)) | grep 'failed to register'"
check "the in-kernel ftp is usable in another namespace (iptables CT --helper ftp)" \
	nsx "$F3" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
nsx "$F3" nft add table ip t
check "and from nft (ct helper object of type ftp)" \
	nsx "$F3" nft add ct helper ip t h '{ type "ftp" protocol tcp; }'
check "the namespace still lists its own ftp" sh -c "ip netns exec $F nfct list helper | grep -q 'name = ftp'"
check "FTP through the namespace's firewall (PASV)" ftp_pasv "$C" $SRV4
check "its own daemon made the expectation (the user-space ftp shadows the in-kernel one there)" \
	grep -q '^expect' "$NFQ_LOG"

# Autoload: the host's rule loads the module though a namespace holds ftp.
nsx "$F3" iptables -t raw -F
nsx "$F3" nft flush ruleset
if modprobe -r nf_nat_ftp nf_conntrack_ftp 2>"$T/rmmod"; then
	check "autoload from the host's iptables CT --helper ftp" \
		iptables -t raw -A PREROUTING -p tcp --dport 2121 -j CT --helper ftp
	iptables -t raw -D PREROUTING -p tcp --dport 2121 -j CT --helper ftp 2>/dev/null
else
	skip "autoload from the host's iptables CT --helper ftp" "cannot unload nf_conntrack_ftp: $(cat "$T/rmmod")"
fi
modprobe nf_conntrack_ftp

# With the in-kernel helper loaded, the name is taken for new registrations.
fw_reset "$F"
nfq_helper_stop
retry 25 nsx "$F" nfct delete helper ftp inet tcp
if nsx "$F" "$NFCT" helper add ftp inet tcp 2>"$T/add"; then
	not_ok "registering ftp in a namespace once the in-kernel ftp is loaded is refused"
else
	check "registering ftp in a namespace once the in-kernel ftp is loaded is refused (EBUSY)" \
		grep -qi 'busy' "$T/add"
fi
check "another name is fine" nsx "$F" "$NFCT" helper add ftp2 inet tcp

iptables -t raw -F PREROUTING 2>/dev/null
modprobe -q -r nf_nat_ftp nf_conntrack_ftp
tap_done
