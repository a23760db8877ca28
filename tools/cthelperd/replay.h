/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cthelperd --replay: a packet capture through a helper without a kernel.
 * Each packet of a helped flow becomes the queue message the kernel would
 * send and goes through cthd_process_packet(), the daemon's own path; the
 * verdict is applied as the kernel would apply it (private data kept per
 * flow, expectations matched against later flows).
 */
#ifndef CTHELPERD_REPLAY_H
#define CTHELPERD_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "helper.h"

#define CTHD_REPLAY_NAT_MAX 2	/* one IPv4 and one IPv6 mapping of each kind */

/* A NAT mapping of the helped flows: where their reply tuple points. */
struct cthd_replay_nat {
	int family;
	union cthd_addr addr;
	uint16_t port;			/* 0: the port stays */
};

struct cthd_replay_opts {
	const char *capture;		/* pcap or pcapng file, "-" for stdin */
	const struct cthd_helper *helper;
	uint32_t options[CTHD_OPTION_MAX];	/* the helper's option values */
	uint16_t port;			/* helped flows go to this port */
	bool json;
	const char *expected;		/* expected expectations, one a line; NULL: none */
	unsigned int n_snat, n_dnat;
	struct cthd_replay_nat snat[CTHD_REPLAY_NAT_MAX];
	struct cthd_replay_nat dnat[CTHD_REPLAY_NAT_MAX];
};

/*
 * "ADDR", "ADDR:PORT" or "[ADDR6]:PORT" into nat; -EINVAL when it is
 * none of those.
 */
int cthd_replay_nat_parse(const char *text, struct cthd_replay_nat *nat);

/*
 * Run the replay, printing to out and errors to err. Returns 0 when every
 * packet was processed without a helper error and the expectations match
 * the expected list; 1 when not; 2 when the capture or the list cannot
 * be read.
 */
int cthd_replay(const struct cthd_replay_opts *opts, FILE *out, FILE *err);

#endif
