#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SIP calls through a stateful firewall with SNAT: kamailio and bob see the
# firewall's address, so the offer's SDP must reach bob rewritten to it;
# IPv4 and IPv6, UDP and TCP; no helper (media must fail), nf_conntrack_sip
# + nf_nat_sip, cthelperd. The cases are in sip/nat.sh.
SIP_NAT=snat
. "${REPO:-.}/tools/selftests/net/sip/nat.sh"
