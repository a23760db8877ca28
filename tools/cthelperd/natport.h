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
/*
 * Seconds a reservation outlives its expectation's timeout: the kernel
 * starts that when the verdict reaches it, after the book read the clock
 * (whole seconds).
 */
#define CTHD_NATPORT_MARGIN	2

struct cthd_natport {
	uint64_t expires;		/* monotonic seconds; at or before now: free */
	uint64_t written;		/* the book's count of writes when written */
	uint32_t master_id;
	struct cthd_tuple master;	/* the master's original tuple */
	uint16_t announced;		/* what the sender announced */
	uint16_t port;			/* what its peer was told */
	uint8_t l4proto;
	uint8_t class;
	union cthd_addr dst;		/* where the peer is sent */
};

/* A slot as it was before the current packet first wrote it. */
struct cthd_natport_undo {
	uint32_t slot;
	struct cthd_natport was;
};

struct cthd_natports {
	uint64_t now;			/* set by cthd_natports_begin() */
	const struct cthd_helper *helper;	/* its policies: timeouts, limits */
	uint64_t writes;		/* slot writes so far: the order of insertion */
	uint64_t packet;		/* packets begun so far */
	/*
	 * Each slot once, at its first write in the packet: the log cannot
	 * fill, however many messages one TCP segment carries.
	 */
	unsigned int n_undo;
	uint64_t logged_in[CTHD_NATPORT_SLOTS];	/* the packet that logged the slot */
	struct cthd_natport_undo undo[CTHD_NATPORT_SLOTS];
	struct cthd_natport slot[CTHD_NATPORT_SLOTS];
};

/*
 * A packet starts (at now, monotonic seconds): from here on, what it
 * reserves, refreshes or evicts can be taken back by cthd_natports_undo().
 */
void cthd_natports_begin(struct cthd_natports *b, uint64_t now);

/*
 * The packet goes out without its rewrites (dropped, or accepted unchanged
 * on an error): the book as it was at cthd_natports_begin(). Its peer
 * was told none of the ports, and a reservation it evicted still has its
 * expectation in the kernel: kept evicted, its port could be handed to
 * another master, whose peer would then reach the first one's expectation.
 */
void cthd_natports_undo(struct cthd_natports *b);

/*
 * The port for exp (exp->nat_port announced): the same one again for the
 * same master and announced port, else the first free from the announced
 * one on (free: no reservation for the same protocol, destination address
 * and port, whatever the source), reserved for the class's timeout plus
 * CTHD_NATPORT_MARGIN. A master holds at most its class's max_expected
 * reservations, as the kernel keeps at most that many expectations: the
 * one reserved or refreshed longest ago goes, as the kernel evicts its
 * first inserted expectation (a resent one replaces the old). 0 when no
 * port is free (then nothing is changed).
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
 * Taken for everyone, for timeout seconds from now plus CTHD_NATPORT_MARGIN.
 */
void cthd_natports_seed(struct cthd_natports *b, uint64_t now, uint8_t l4proto,
			const union cthd_addr *dst, uint16_t port, uint32_t timeout);

#endif
