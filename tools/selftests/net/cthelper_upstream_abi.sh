#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Where existing user space can see it, NFNL_SUBSYS_CTHELPER answers as
# upstream's did: a flush where every helper is in use fails with EBUSY, a
# flush that deleted some succeeds and leaves those in use, a delete that
# deleted one of the matching helpers succeeds. (max expected 0 is in
# cthelper_bad_input.sh.) Debian's nfct (conntrack-tools 1.4.7) is the
# client; the differences from upstream are listed in the Documentation.
. "${REPO:-.}/tools/selftests/lib.sh"

require nfct iptables
netns_add "$F" || skip_all "cannot create a netns"
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

names() { helpers_of "$F" | sed -n 's/.*\.name = \([^,]*\),.*l3protonum = \([0-9]*\),.*/\1\/\2/p' | sort | tr '\n' ' '; }

nsx "$F" nfct add helper ftp inet tcp
nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp
if nsx "$F" nfct flush helper 2>"$T/err"; then
	not_ok "flush with every helper in use fails (EBUSY)" "it succeeded; left: $(names)"
else
	check "flush with every helper in use fails (EBUSY)" grep -qi busy "$T/err"
fi

nsx "$F" nfct add helper tftp inet udp
check "flush that deletes some succeeds" nsx "$F" nfct flush helper
check "and leaves the helper in use" sh -c "[ \"$(names)\" = 'ftp/2 ' ]" 

nsx "$F" nfct add helper ftp inet6 tcp
check "delete ftp: one of two deleted, the other in use: success" \
	nsx "$F" nfct delete helper ftp
check "the one in use stays" sh -c "[ \"$(names)\" = 'ftp/2 ' ]"

nsx "$F" iptables -t raw -F
check "unused again: delete" retry 25 nsx "$F" nfct delete helper ftp
tap_done
