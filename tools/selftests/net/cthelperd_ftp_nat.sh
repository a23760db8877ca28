#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# FTP through a NATing firewall with cthelperd: the announced address is
# rewritten in the payload (a different length, so the kernel adjusts
# sequence numbers) and every expectation carries CTA_EXPECT_NAT +
# nat-follow-master, so that the data connection is NATed like its master.
# The cases conntrackd 1.4.7 fails: SNAT with PORT, EPRT and EPSV, DNAT
# with PASV and EPSV, IPv6 EPRT; plus DNAT with PORT; IPv4 and IPv6;
# nft NAT with iptables and with nft helper assignment.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
for cmd in nfct conntrack vsftpd curl nft; do
	command -v $cmd >/dev/null || skip_all "$cmd not installed"
done
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
ftp_server_start "$S" || skip_all "vsftpd does not start"

# registered with nfct first, as an admin would; cthelperd only enables it
nsx "$F" nfct add helper ftp inet tcp
nsx "$F" nfct add helper ftp inet6 tcp
cthelperd_start "$F" --helper ftp || { not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts and enables the helpers nfct added"

# DNAT: the client talks to the firewall's address, the server answers.
# SNAT: the server sees the firewall's address.
nat() {
	nsx "$F" nft delete table inet nat 2>/dev/null
	if [ "$1" = dnat ]; then
		nsx "$F" nft -f - <<-NFT
		table inet nat {
			chain pre {
				type nat hook prerouting priority -100;
				ip daddr $FWC4 tcp dport 21 dnat ip to $SRV4
				ip6 daddr $FWC6 tcp dport 21 dnat ip6 to $SRV6
			}
		}
		NFT
	else
		nsx "$F" nft -f - <<-NFT
		table inet nat {
			chain post {
				type nat hook postrouting priority 100;
				oifname srv0 meta nfproto ipv4 snat ip to $FWS4
				oifname srv0 meta nfproto ipv6 snat ip6 to $FWS6
			}
		}
		NFT
	fi
}

pasv() { ftp_get "$1" "ftp://$2" --disable-epsv; }
epsv() { ftp_get "$1" "ftp://$2"; }
port() { ftp_get "$1" "ftp://$2" --ftp-port "$3" --disable-eprt; }
eprt() { ftp_get "$1" "ftp://$2" --ftp-port "$3"; }

run_cases() {
	_how=$1
	nat dnat
	check "$_how, DNAT IPv4: PASV (227 rewritten)" pasv "$C" $FWC4
	check "$_how, DNAT IPv4: EPSV" epsv "$C" $FWC4
	check "$_how, DNAT IPv4: PORT" port "$C" $FWC4 $CLI4
	check "$_how, DNAT IPv6: EPSV" epsv "$C" "[$FWC6]"
	check "$_how, DNAT IPv4: two transfers on one control connection" \
		sh -c "ip netns exec $C curl -sS --max-time 15 --disable-epsv \
			-o $T/a -o $T/b ftp://$FWC4/file ftp://$FWC4/file && cmp -s $T/b $T/ftproot/file"
	nat snat
	check "$_how, SNAT IPv4: PORT (rewritten)" port "$C" $SRV4 $CLI4
	check "$_how, SNAT IPv4: EPRT (rewritten)" eprt "$C" $SRV4 $CLI4
	check "$_how, SNAT IPv4: EPSV" epsv "$C" $SRV4
	check "$_how, SNAT IPv4: PASV" pasv "$C" $SRV4
	if kernel_src_has 'ip_hdrlen(skb)' net/netfilter/nf_conntrack_seqadj.c; then
		skip "$_how, SNAT IPv6: EPRT (rewritten, longer)" \
			"nf_ct_tcp_seqadj_set() takes ip_hdrlen() of an IPv6 packet: wrong sequence adjustment after a verdict changes an IPv6 payload's length"
	else
		check "$_how, SNAT IPv6: EPRT (rewritten, longer)" eprt "$C" "[$SRV6]" $CLI6
	fi
	check "$_how, SNAT IPv6: EPSV" epsv "$C" "[$SRV6]"
}

fw_filter "$F" iptables
helper_assign "$F" iptables PREROUTING 46
run_cases iptables
for ipt in iptables ip6tables; do
	nsx "$F" $ipt -t raw -F
	nsx "$F" $ipt -F
	nsx "$F" $ipt -P FORWARD ACCEPT
done
nsx "$F" nft delete table inet nat 2>/dev/null
fw_filter "$F" nft
helper_assign "$F" nft PREROUTING 46
run_cases nft

check "stats: packets rewritten, no internal or kernel error" sh -c "
	[ '$(cthelperd_counter mangled)' -ge 10 ] && [ '$(cthelperd_counter accepted_on_error)' = 0 ] &&
	[ '$(cthelperd_counter kernel_errors)' = 0 ]"
cthelperd_stats | sed 's/^/# /'
cthelperd_stop
check "SIGTERM: cthelperd exits 0" test $? -eq 0
check "the helpers nfct added stay registered" \
	sh -c "ip netns exec $F nfct list helper | grep -c 'name = ftp' | grep -qx 2"
nsx "$F" nft flush ruleset
retry 25 nsx "$F" nfct flush helper
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
