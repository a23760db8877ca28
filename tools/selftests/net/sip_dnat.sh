#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SIP calls through a stateful firewall with DNAT: alice calls the
# firewall's address, so the answer's SDP must reach her rewritten to it;
# IPv4 and IPv6, UDP and TCP; no helper (media must fail), nf_conntrack_sip
# + nf_nat_sip, cthelperd. The cases are in sip/nat.sh.
SIP_NAT=dnat
. "${REPO:-.}/tools/selftests/net/sip/nat.sh"
