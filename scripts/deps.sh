#!/bin/sh
# Install what building the kernel, the tools and running the VM tests needs.
# Idempotent: does nothing when every package is already present.
set -eu

PKGS="build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils rsync
ccache kmod pkg-config git
qemu-system-x86
libmnl-dev libnetfilter-queue-dev libnetfilter-conntrack-dev libnfnetlink-dev libpcap-dev
clang libclang-rt-14-dev dpkg-dev debhelper
iproute2 iputils-ping procps iptables nftables conntrack conntrackd nfct
vsftpd curl lftp python3 python3-ply python3-git socat tcpdump
ngircd tftpd-hpa tftp-hpa snmp snmpd snmptrapd
samba samba-common-bin avahi-daemon dnsmasq wide-dhcpv6-client miniupnpd miniupnpc
kamailio
sane-utils rpcbind"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing:$missing"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
