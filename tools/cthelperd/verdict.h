/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one verdict message that answers a queued packet. */
#ifndef CTHELPERD_VERDICT_H
#define CTHELPERD_VERDICT_H

#include <libmnl/libmnl.h>

#include "helper.h"

/*
 * Room for attributes besides the payload in a verdict: an IPv6 expectation
 * with its NAT binding and function takes about 350 bytes.
 */
/*
 * The series' verdict attribute that removes expectations of the queued
 * packet's conntrack by class (a __be32 mask), after NFQA_CGROUP_CLASSID;
 * carried here until the installed uapi header has it.
 */
#define CTHD_NFQA_EXP_FLUSH 23

#define CTHD_VERDICT_OVERHEAD (1024 + CTHD_EXPECT_MAX * 512)

struct cthd_verdict_msg {
	uint16_t queue;
	uint32_t packet_id;
	uint32_t verdict;		/* NF_ACCEPT or NF_DROP */
	const uint8_t *payload;		/* new packet, NULL if unchanged */
	size_t payload_len;
	/*
	 * NFQA_CT with CTA_HELP (name + private data). The kernel reads
	 * NFQA_EXP only when NFQA_CT is there, so it goes with every
	 * expectation as well.
	 */
	bool send_ct;
	const char *helper_name;
	const void *priv;		/* CTA_HELP_INFO; NULL for none */
	size_t priv_len;
	/* NFQA_EXP_FLUSH: classes whose expectations go first; 0 for none */
	uint32_t exp_flush;
	const struct cthd_expect *exp;	/* one NFQA_EXP each */
	unsigned int n_exp;
	int family;
};

/*
 * Build the verdict into buf. Returns the message, or NULL with errno
 * EMSGSIZE when it does not fit.
 */
struct nlmsghdr *cthd_verdict_build(void *buf, size_t size, const struct cthd_verdict_msg *v);

#endif
