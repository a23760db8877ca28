#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# REGISTER over TCP through a stateful firewall that lets in only NEW to
# port 5060 from the client side: the registrar reaches alice's
# transport=tcp Contact on a connection of its own only through the
# helper's expectation; IPv4 and IPv6; no helper, nf_conntrack_sip,
# cthelperd's sip-tcp. The cases are in sip/register.sh
# (sip_register_tcp_snat.sh, sip_register_tcp_dnat.sh: under SNAT, DNAT).
SIP_TR=tcp SIP_NATS=none
. "${REPO:-.}/tools/selftests/net/sip/register.sh"
