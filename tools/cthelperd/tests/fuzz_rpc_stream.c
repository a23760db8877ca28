// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the rpc-tcp helper (record marking on the core's
 * message layer) over a sequence of segments, with and without NAT, IPv4
 * and IPv6, in order, retransmitted and past a gap: the FTP stream
 * target's records and checks (edits apply, priv_changed tells the truth,
 * no edit without NAT, every expectation has a port and its NAT binding
 * when NATed).
 */
#define FUZZ_HELPER "rpc-tcp"
#include "fuzz_ftp_stream.c"
