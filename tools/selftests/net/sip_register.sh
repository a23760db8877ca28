#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# REGISTER over UDP through a stateful firewall that lets in only NEW to
# port 5060 from the client side: the registrar reaches alice's Contact from
# a port of its own only through the helper's expectation; IPv4 and IPv6; no
# helper, nf_conntrack_sip, cthelperd's sip. The cases are in
# sip/register.sh (sip_register_snat.sh, sip_register_dnat.sh: the same
# under SNAT, DNAT; sip_register_tcp.sh: over TCP).
SIP_TR=udp SIP_NATS=none
. "${REPO:-.}/tools/selftests/net/sip/register.sh"
