#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sip_register.sh's REGISTER over UDP with the firewall's SNAT: the
# registrar calls alice's Contact at the firewall's address
# (sip_register_dnat.sh: under DNAT). The cases are in sip/register.sh.
SIP_TR=udp SIP_NATS=snat
. "${REPO:-.}/tools/selftests/net/sip/register.sh"
