#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# sip_register_tcp.sh's REGISTER over TCP with the firewall's DNAT: alice
# registers at the firewall's address. The cases are in sip/register.sh.
SIP_TR=tcp SIP_NATS=dnat
. "${REPO:-.}/tools/selftests/net/sip/register.sh"
