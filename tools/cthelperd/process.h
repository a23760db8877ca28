/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One queued packet in, one verdict out: parse the nfqueue message, run the
 * protocol helper, build the answer. No I/O here, so the host tests can
 * drive the whole path with messages they build.
 */
#ifndef CTHELPERD_PROCESS_H
#define CTHELPERD_PROCESS_H

#include <libmnl/libmnl.h>

#include "helper.h"
#include "natport.h"
#include "queue.h"
#include "stats.h"
#include "verdict.h"

/*
 * The private data this daemon last sent for recent conntracks. The kernel
 * copies a conntrack's private data into each queued packet when it
 * queues it, so a packet queued before the verdict on the previous one
 * carries a stale copy (the two directions of a connection are often in
 * flight together). The daemon is the only writer, so its last write is
 * the newest state; the kernel's copy remains the truth after a restart
 * (empty cache) and for a new conntrack (all-zero private data).
 */
#define CTHD_PRIV_CACHE_SIZE 4096	/* power of two */
struct cthd_priv_entry {
	bool used;
	uint32_t id;
	struct cthd_tuple orig;
	uint8_t priv[CTHD_PRIV_MAX];
};

/* Buffers one packet needs; allocated once per daemon. */
struct cthd_scratch {
	struct cthd_priv_entry priv_cache[CTHD_PRIV_CACHE_SIZE];
	/* NAT ports told to peers; now is set per packet unless fixed_now */
	struct cthd_natports natports;
	uint64_t fixed_now;		/* tests: the clock, in seconds */
	/* the firewall's addresses (ifaddr.h), kept by the daemon; may be NULL */
	const struct cthd_ifaddrs *ifaddrs;
	/*
	 * The kernel ignores NFQA_EXP_FLUSH (no such attribute before this
	 * series' patch; the verdict policy skips unknown ones): a helper's
	 * removals are counted as flushes_lost, not sent.
	 */
	bool no_exp_flush;
	struct cthd_result result;
	uint8_t priv[CTHD_PRIV_MAX];
	uint8_t packet[0x10000 + CTHD_MANGLE_MAX * CTHD_MANGLE_DATA_MAX];
	uint8_t verdict[0x10000 + CTHD_MANGLE_MAX * CTHD_MANGLE_DATA_MAX + CTHD_VERDICT_OVERHEAD];
};

struct cthd_outcome {
	struct nlmsghdr *verdict;	/* in scratch->verdict; NULL: nothing to send */
	/* expectations that did not go in the verdict, for ctnetlink */
	const struct cthd_expect *extra;
	unsigned int n_extra;
	struct cthd_conntrack master;
	/* whose private data the verdict carries, for cthd_queue_add_noted() */
	struct cthd_tx_note note;
	int error;			/* < 0: internal error, packet accepted */
	const char *error_what;		/* which step failed, for the log */
};

/*
 * Handle one NFQNL_MSG_PACKET for helper h; counters are updated. The
 * verdict carries up to exp_per_verdict expectations: a kernel without
 * this project's series attaches only the last NFQA_EXP of a verdict
 * (pass 1 then), the others are left in out->extra for ctnetlink.
 * options: the helper's option values (NULL: its defaults).
 */
void cthd_process_packet(const struct nlmsghdr *nlh, const struct cthd_helper *h,
			 const uint32_t *options,
			 unsigned int exp_per_verdict, struct cthd_scratch *s,
			 struct cthd_counters *c, struct cthd_outcome *out);

#endif
