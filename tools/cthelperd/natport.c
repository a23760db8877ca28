// SPDX-License-Identifier: GPL-2.0-or-later
/* NAT port reservations for expectations: see natport.h. */
#include <string.h>

#include "natport.h"

/*
 * Reservations are keyed by where the peer is sent: protocol, address and
 * port. Not by the peer's address: an expectation whose source is a
 * wildcard (IRC DCC) clashes in the kernel with any of the same
 * destination.
 */
static uint32_t natport_hash(uint8_t l4proto, const union cthd_addr *dst, uint16_t port)
{
	uint32_t h = 2166136261u ^ l4proto;

	for (size_t i = 0; i < sizeof(dst->ip6) / sizeof(dst->ip6[0]); i++)
		h = (h ^ dst->ip6[i]) * 16777619u;
	return (h ^ port) * 16777619u;
}

static bool natport_live(const struct cthd_natports *b, const struct cthd_natport *e)
{
	return e->expires > b->now;
}

static bool natport_same_master(const struct cthd_natport *e, const struct cthd_conntrack *ct)
{
	return e->master_id == ct->id &&
	       !memcmp(&e->master, &ct->tuple[CTHD_DIR_ORIGINAL], sizeof(e->master));
}

/*
 * The slot holding the live reservation of (exp's tuple, port), or else,
 * in *free_slot, the first free slot its key may take (NULL: none).
 */
static struct cthd_natport *natport_find(struct cthd_natports *b, const struct cthd_expect *exp,
					 uint16_t port, struct cthd_natport **free_slot)
{
	uint32_t h = natport_hash(exp->l4proto, &exp->tuple.dst, port);

	*free_slot = NULL;
	for (unsigned int i = 0; i < CTHD_NATPORT_PROBE; i++) {
		struct cthd_natport *e = &b->slot[(h + i) & (CTHD_NATPORT_SLOTS - 1)];

		if (!natport_live(b, e)) {
			if (!*free_slot)
				*free_slot = e;
			continue;
		}
		if (e->port == port && e->l4proto == exp->l4proto &&
		    !memcmp(&e->dst, &exp->tuple.dst, sizeof(e->dst)))
			return e;
	}
	return NULL;
}

/* Keeps e as it is now, for cthd_natports_undo(); the caller checked for room. */
static void natport_log(struct cthd_natports *b, struct cthd_natport *e)
{
	struct cthd_natport_undo *u = &b->undo[b->n_undo++];

	u->slot = (uint32_t)(e - b->slot);
	u->was = *e;
}

void cthd_natports_begin(struct cthd_natports *b, uint64_t now)
{
	b->now = now;
	b->n_undo = 0;
}

/* The book as it was when the packet had made mark changes. */
static void natport_undo_to(struct cthd_natports *b, unsigned int mark)
{
	/* newest first: a slot written twice gets its oldest copy back */
	while (b->n_undo > mark) {
		const struct cthd_natport_undo *u = &b->undo[--b->n_undo];

		b->slot[u->slot] = u->was;
	}
}

void cthd_natports_undo(struct cthd_natports *b)
{
	natport_undo_to(b, 0);
}

/* Keep the master below max (0: no limit) of the class: free its oldest. */
static void natport_make_room(struct cthd_natports *b, const struct cthd_conntrack *master,
			      uint8_t class, uint32_t max)
{
	struct cthd_natport *oldest = NULL;
	uint32_t held = 0;

	for (size_t i = 0; i < CTHD_NATPORT_SLOTS; i++) {
		struct cthd_natport *e = &b->slot[i];

		if (!natport_live(b, e) || e->class != class || !natport_same_master(e, master))
			continue;
		held++;
		if (!oldest || e->expires < oldest->expires)
			oldest = e;
	}
	if (oldest && max && held >= max) {
		natport_log(b, oldest);
		oldest->expires = 0;
	}
}

static bool natport_same_announcement(const struct cthd_natport *e,
				      const struct cthd_conntrack *master,
				      const struct cthd_expect *exp)
{
	return natport_same_master(e, master) && e->announced == exp->nat_port &&
	       e->class == exp->class;
}

/* The last port a search for exp may try. */
static uint32_t natport_last(const struct cthd_expect *exp)
{
	uint32_t last = (uint32_t)exp->nat_port + CTHD_NATPORT_SEARCH - 1;

	return last > 65535 ? 65535 : last;
}

/* The slot of the same master's same announcement, NULL: none. */
static struct cthd_natport *natport_held(struct cthd_natports *b,
					 const struct cthd_conntrack *master,
					 const struct cthd_expect *exp)
{
	struct cthd_natport *free_slot, *e;

	for (uint32_t port = exp->nat_port; port <= natport_last(exp); port++) {
		e = natport_find(b, exp, (uint16_t)port, &free_slot);
		if (e && natport_same_announcement(e, master, exp))
			return e;
	}
	return NULL;
}

uint16_t cthd_natports_held(struct cthd_natports *b, const struct cthd_conntrack *master,
			    const struct cthd_expect *exp)
{
	struct cthd_natport *e;

	if (!b->helper || exp->class >= b->helper->n_policies || exp->nat_port == 0)
		return 0;
	e = natport_held(b, master, exp);
	return e ? e->port : 0;
}

uint16_t cthd_natports_pick(struct cthd_natports *b, const struct cthd_conntrack *master,
			    const struct cthd_expect *exp)
{
	uint32_t first = exp->nat_port, last = natport_last(exp);
	unsigned int mark = b->n_undo;
	const struct cthd_policy *policy;
	struct cthd_natport *free_slot, *e;

	if (!b->helper || exp->class >= b->helper->n_policies || exp->nat_port == 0)
		return 0;
	/* an eviction and a reservation, both to be taken back if need be */
	if (CTHD_NATPORT_UNDO - b->n_undo < 2)
		return 0;
	policy = &b->helper->policies[exp->class];
	/*
	 * Announced again (a retransmission): the same answer, wherever the
	 * search put it, even if a port before it was freed meanwhile.
	 */
	e = natport_held(b, master, exp);
	if (e) {
		natport_log(b, e);
		e->expires = b->now + policy->timeout;
		return e->port;
	}
	natport_make_room(b, master, exp->class, policy->max_expected);
	for (uint32_t port = first; port <= last; port++) {
		e = natport_find(b, exp, (uint16_t)port, &free_slot);
		if (e || !free_slot)
			continue;
		natport_log(b, free_slot);
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->expires = b->now + policy->timeout;
		free_slot->master_id = master->id;
		free_slot->master = master->tuple[CTHD_DIR_ORIGINAL];
		free_slot->announced = exp->nat_port;
		free_slot->port = (uint16_t)port;
		free_slot->l4proto = exp->l4proto;
		free_slot->class = exp->class;
		free_slot->dst = exp->tuple.dst;
		return (uint16_t)port;
	}
	/* no port: the master's oldest reservation was evicted for nothing */
	natport_undo_to(b, mark);
	return 0;
}

void cthd_natports_seed(struct cthd_natports *b, uint64_t now, uint8_t l4proto,
			const union cthd_addr *dst, uint16_t port, uint32_t timeout)
{
	struct cthd_expect key = { .l4proto = l4proto, .tuple.dst = *dst };
	struct cthd_natport *free_slot;

	b->now = now;
	if (natport_find(b, &key, port, &free_slot) || !free_slot)
		return;
	/* no master and no announced port: never anyone's earlier answer */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->expires = now + timeout;
	free_slot->port = port;
	free_slot->l4proto = l4proto;
	free_slot->class = UINT8_MAX;
	free_slot->dst = *dst;
}
