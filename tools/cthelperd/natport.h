/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ports this daemon told peers for NATed expectations, so that two of
 * them never share one (see cthd_result_nat_port() in helper.h). The
 * kernel refuses the second expectation of a tuple (EBUSY), but the
 * rewritten line would still send its peer there, into the first one's
 * connection: two clients behind one SNAT announcing the same port to one
 * server would have the server send the second client's data to the first.
 * The kernel's own NAT helpers search a free port for the same reason
 * (nf_nat_exp_find_port()).
 */
#ifndef CTHELPERD_NATPORT_H
#define CTHELPERD_NATPORT_H

#include <stdint.h>

#include "helper.h"

#define CTHD_NATPORT_SLOTS	4096	/* power of two */
#define CTHD_NATPORT_PROBE	16	/* slots a key may take, from its hash on */
#define CTHD_NATPORT_SEARCH	256	/* ports tried, from the announced one on */

struct cthd_natport {
	uint64_t expires;		/* monotonic seconds; at or before now: free */
	uint32_t master_id;
	struct cthd_tuple master;	/* the master's original tuple */
	uint16_t announced;		/* what the sender announced */
	uint16_t port;			/* what its peer was told */
	uint8_t l4proto;
	uint8_t class;
	union cthd_addr dst;		/* where the peer is sent */
};

struct cthd_natports {
	uint64_t now;			/* set by the caller before each packet */
	const struct cthd_helper *helper;	/* its policies: timeouts, limits */
	struct cthd_natport slot[CTHD_NATPORT_SLOTS];
};

/*
 * The port for exp (exp->nat_port announced): the same one again for the
 * same master and announced port, else the first free from the announced
 * one on (free: no reservation for the same protocol, destination address
 * and port, whatever the source), reserved for the class's timeout. A master holds at most its
 * class's max_expected reservations, as the kernel keeps at most that many
 * expectations (the oldest goes). 0 when no port is free.
 */
uint16_t cthd_natports_pick(struct cthd_natports *b, const struct cthd_conntrack *master,
			    const struct cthd_expect *exp);

/*
 * The port the same master's same announcement holds (see
 * cthd_natports_pick()), without refreshing it, reserving or evicting
 * anything; 0 when it holds none. For a message that names the port but
 * opens nothing (a SIP unregistration): it must not take a port from
 * anyone, nor drop the one whose expectation the kernel still keeps.
 */
uint16_t cthd_natports_held(struct cthd_natports *b, const struct cthd_conntrack *master,
			    const struct cthd_expect *exp);

/*
 * A port an expectation already holds, which this daemon did not hand
 * out (one found in the kernel at start: a restart forgets the book).
 * Taken for everyone, for timeout seconds from now.
 */
void cthd_natports_seed(struct cthd_natports *b, uint64_t now, uint8_t l4proto,
			const union cthd_addr *dst, uint16_t port, uint32_t timeout);

#endif
