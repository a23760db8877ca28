#!/bin/bash
# Smoke test of the selftest VM: the kernel we built booted, and the kernel
# features and tools the other tests rely on work. Self-contained on purpose
# (no lib.sh): when this fails, the harness is at fault, not a test.
set -u
n=0
failed=0
work=$(mktemp -d)
ns=smoke-$$

# check NAME CMD...: one TAP line from CMD's exit status; output on failure.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $n - $name"
	else
		failed=1
		echo "not ok $n - $name"
		sed 's/^/#   /' "$work/out" | tail -n 20
	fi
}

cleanup() {
	ip netns del "$ns-a" 2>/dev/null
	ip netns del "$ns-b" 2>/dev/null
	rmmod nf_conntrack_ftp 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "TAP version 13"
kernelrelease() { [ "$(uname -r)" = "$(cat "$LINUX/include/config/kernel.release")" ]; }
check "booted the kernel of \$LINUX ($(uname -r))" kernelrelease
check "2 CPUs online" test "$(nproc)" = 2
check "/tmp is writable" touch /tmp/.vm_boot.$$
rm -f /tmp/.vm_boot.$$
check "seccomp filters available" grep -q '^Seccomp:' /proc/self/status

# Two namespaces joined by a veth pair, IPv4 and IPv6.
netns_pair() {
	ip netns add "$ns-a" && ip netns add "$ns-b" &&
	ip -n "$ns-a" link add eth0 type veth peer name eth0 netns "$ns-b" &&
	ip -n "$ns-a" link set eth0 up && ip -n "$ns-b" link set eth0 up &&
	ip -n "$ns-a" addr add 10.9.0.1/24 dev eth0 &&
	ip -n "$ns-b" addr add 10.9.0.2/24 dev eth0 &&
	ip -n "$ns-a" addr add fd00:9::1/64 dev eth0 nodad &&
	ip -n "$ns-b" addr add fd00:9::2/64 dev eth0 nodad
}
check "netns + veth pair" netns_pair
check "ping IPv4 between namespaces" ip netns exec "$ns-a" ping -c 1 -W 5 10.9.0.2
check "ping IPv6 between namespaces" ip netns exec "$ns-a" ping -6 -c 1 -W 5 fd00:9::2

# Firewall front ends: iptables-nft (Debian's default), iptables-legacy, nft.
ipt_rules() {
	local ipt=$1
	$ipt -t raw -A PREROUTING -p tcp --dport 2121 -j CT --notrack &&
	$ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
	$ipt -A INPUT -m state --state NEW -p tcp -m multiport --dports 21,2121 -j ACCEPT &&
	$ipt -A INPUT -p tcp --dport 9 -j NFQUEUE --queue-num 3 --queue-bypass &&
	$ipt -t nat -A POSTROUTING -o eth0 -j MASQUERADE &&
	$ipt -t mangle -A PREROUTING -j ACCEPT &&
	$ipt -S >/dev/null && $ipt -t raw -F && $ipt -F && $ipt -t nat -F && $ipt -t mangle -F
}
check "iptables (nft) raw/filter/nat/mangle rules" ip netns exec "$ns-a" bash -c "$(declare -f ipt_rules); ipt_rules iptables"
check "ip6tables (nft) rules" ip netns exec "$ns-a" bash -c "$(declare -f ipt_rules); ipt_rules ip6tables"
check "iptables-legacy rules" ip netns exec "$ns-a" bash -c "$(declare -f ipt_rules); ipt_rules iptables-legacy"
check "nft inet table with ct, nat, queue" ip netns exec "$ns-a" nft -f - <<'EOF'
table inet smoke {
	chain pre { type filter hook prerouting priority raw; tcp dport 21 ct state new counter; }
	chain post { type nat hook postrouting priority srcnat; oifname "eth0" masquerade; }
	chain in { type filter hook input priority filter; tcp dport 9 queue num 3 bypass; }
}
delete table inet smoke
EOF

# Conntrack over netlink: traffic creates entries, conntrack(8) lists them.
# A namespace tracks connections only once a rule needs conntrack.
conntrack_sees_ping() {
	ip netns exec "$ns-a" nft 'table ip smoke { chain out { type filter hook output priority 0; ct state new counter; }; }' &&
	ip netns exec "$ns-a" ping -c 1 -W 5 10.9.0.2 >/dev/null &&
	ip netns exec "$ns-a" conntrack -L -p icmp | grep 'dst=10.9.0.2' &&
	ip netns exec "$ns-a" nft delete table ip smoke
}
check "conntrack -L lists a ping" conntrack_sees_ping
check "nfnetlink_cthelper answers (nfct list helper)" nfct list helper

# The in-kernel FTP helper is a module; modprobe finds this kernel's modules.
check "nf_conntrack_ftp is a module (insmod, rmmod)" \
	bash -c "insmod $LINUX/net/netfilter/nf_conntrack_ftp.ko && rmmod nf_conntrack_ftp"
check "modprobe nf_nat_ftp (pulls nf_conntrack_ftp)" \
	bash -c "modprobe nf_nat_ftp && rmmod nf_nat_ftp nf_conntrack_ftp"

echo "1..$n"
exit "$failed"
