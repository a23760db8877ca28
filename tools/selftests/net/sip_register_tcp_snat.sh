#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sip_register_tcp.sh's REGISTER over TCP with the firewall's SNAT
# (sip_register_tcp_dnat.sh: under DNAT). alice's connection comes from a
# port of its own, not her Contact's: her unregistration's Contact is
# rewritten as her registration's only by cthelperd (nf_nat_sip's result
# is shown, not checked). The cases are in sip/register.sh.
SIP_TR=tcp SIP_NATS=snat
. "${REPO:-.}/tools/selftests/net/sip/register.sh"
