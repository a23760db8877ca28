// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: SIP over TCP (the sip-tcp helper on the core's message
 * stream layer) over a sequence of segments, with and without NAT, IPv4
 * and IPv6: the FTP stream target's records and checks (edits apply,
 * priv_changed tells the truth, no edit without NAT, every expectation has
 * a port and its NAT binding when NATed).
 */
#define FUZZ_HELPER "sip-tcp"
#include "fuzz_ftp_stream.c"
