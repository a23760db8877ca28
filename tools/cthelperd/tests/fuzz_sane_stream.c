// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the SANE helper over a sequence of segments, with and
 * without NAT, IPv4 and IPv6, in order, retransmitted and past a gap: the
 * FTP stream target's records and checks (priv_changed tells the truth, no
 * edit without NAT, every expectation has a port and its NAT binding when
 * NATed; the SANE helper never edits at all, see fuzz_sane.c).
 */
#define FUZZ_HELPER "sane"
#define FUZZ_UNBOOKED
#include "fuzz_ftp_stream.c"
