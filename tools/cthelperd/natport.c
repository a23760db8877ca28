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

/* Keeps e as it was before the packet, for cthd_natports_undo(). */
static void natport_log(struct cthd_natports *b, struct cthd_natport *e)
{
	uint32_t i = (uint32_t)(e - b->slot);
	struct cthd_natport_undo *u;

	if (b->logged_in[i] == b->packet)
		return;
	b->logged_in[i] = b->packet;
	u = &b->undo[b->n_undo++];
	u->slot = i;
	u->was = *e;
}

void cthd_natports_begin(struct cthd_natports *b, uint64_t now)
{
	b->now = now;
	b->packet++;
	b->n_undo = 0;
}

void cthd_natports_undo(struct cthd_natports *b)
{
	while (b->n_undo) {
		const struct cthd_natport_undo *u = &b->undo[--b->n_undo];

		b->slot[u->slot] = u->was;
	}
}

/*
 * Keep the master below max (0: no limit) of the class: free the one
 * written first, as the kernel's evict_oldest_expect() removes the first
 * inserted. Returns it (NULL: none freed), its expiry in *was_expires.
 */
static struct cthd_natport *natport_make_room(struct cthd_natports *b,
					      const struct cthd_conntrack *master,
					      uint8_t class, uint32_t max, uint64_t *was_expires)
{
	struct cthd_natport *oldest = NULL;
	uint32_t held = 0;

	for (size_t i = 0; i < CTHD_NATPORT_SLOTS; i++) {
		struct cthd_natport *e = &b->slot[i];

		if (!natport_live(b, e) || e->class != class || !natport_same_master(e, master))
			continue;
		held++;
		if (!oldest || e->written < oldest->written)
			oldest = e;
	}
	if (!oldest || !max || held < max)
		return NULL;
	natport_log(b, oldest);
	*was_expires = oldest->expires;
	oldest->expires = 0;
	return oldest;
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
	struct cthd_natport *free_slot, *e, *evicted;
	const struct cthd_policy *policy;
	uint64_t evicted_expires = 0, expires;

	if (!b->helper || exp->class >= b->helper->n_policies || exp->nat_port == 0)
		return 0;
	policy = &b->helper->policies[exp->class];
	expires = b->now + policy->timeout + CTHD_NATPORT_MARGIN;
	/*
	 * Announced again (a retransmission): the same answer, wherever the
	 * search put it, even if a port before it was freed meanwhile.
	 */
	e = natport_held(b, master, exp);
	if (e) {
		/* the kernel replaces the expectation: the newest again */
		natport_log(b, e);
		e->expires = expires;
		e->written = ++b->writes;
		return e->port;
	}
	evicted = natport_make_room(b, master, exp->class, policy->max_expected,
				    &evicted_expires);
	for (uint32_t port = first; port <= last; port++) {
		e = natport_find(b, exp, (uint16_t)port, &free_slot);
		if (e || !free_slot)
			continue;
		natport_log(b, free_slot);
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->expires = expires;
		free_slot->written = ++b->writes;
		free_slot->master_id = master->id;
		free_slot->master = master->tuple[CTHD_DIR_ORIGINAL];
		free_slot->announced = exp->nat_port;
		free_slot->port = (uint16_t)port;
		free_slot->l4proto = exp->l4proto;
		free_slot->class = exp->class;
		free_slot->dst = exp->tuple.dst;
		return (uint16_t)port;
	}
	/* no port, so no new expectation: the kernel keeps the master's first */
	if (evicted)
		evicted->expires = evicted_expires;
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
	free_slot->expires = now + timeout + CTHD_NATPORT_MARGIN;
	free_slot->written = ++b->writes;
	free_slot->port = port;
	free_slot->l4proto = l4proto;
	free_slot->class = UINT8_MAX;
	free_slot->dst = *dst;
}
