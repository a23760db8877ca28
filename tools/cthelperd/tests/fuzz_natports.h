/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core's NAT port book for the fuzz targets that run a helper under
 * NAT, used as the core uses it (process.c): begun before each packet,
 * taken back after a drop. Checked after each packet: a dropped one left
 * the book as it was (the kernel keeps the expectations it never
 * replaced, and a port the peer was never told must not stay taken), and
 * every NAT expectation of one that goes out holds its port in the book
 * for its master, unless a later one of the same packet and class pushed
 * it out (the master then holds its class's max_expected, as the kernel
 * keeps that many), or it is the master's own mapping (a SIP Contact at
 * the connection's port: NAT made that port the master's alone).
 */
#ifndef CTHELPERD_TESTS_FUZZ_NATPORTS_H
#define CTHELPERD_TESTS_FUZZ_NATPORTS_H

#include <stdlib.h>
#include <string.h>

#include "../natport.h"

struct fuzz_natports {
	struct cthd_natports book;
	struct cthd_natport before[CTHD_NATPORT_SLOTS];	/* the slots before the packet */
};

static inline void fuzz_natports_reset(struct fuzz_natports *f, const struct cthd_helper *h)
{
	memset(&f->book, 0, sizeof(f->book));
	f->book.helper = h;
}

/* Before a packet at now (seconds), with res to give the helper the book. */
static inline void fuzz_natports_begin(struct fuzz_natports *f, uint64_t now,
				       struct cthd_result *res)
{
	cthd_natports_begin(&f->book, now);
	memcpy(f->before, f->book.slot, sizeof(f->before));
	res->natports = &f->book;
}

static inline unsigned int fuzz_natports_count(const struct cthd_natports *b,
					       const struct cthd_conntrack *ct, uint8_t class,
					       const struct cthd_expect *exp)
{
	unsigned int n = 0;

	for (size_t i = 0; i < CTHD_NATPORT_SLOTS; i++) {
		const struct cthd_natport *e = &b->slot[i];

		if (e->expires <= b->now || e->master_id != ct->id || e->class != class)
			continue;
		if (!exp || (e->port == exp->tuple.dport && e->l4proto == exp->l4proto &&
			     !memcmp(&e->dst, &exp->tuple.dst, sizeof(e->dst))))
			n++;
	}
	return n;
}

/* After the helper ran on the packet: aborts on a broken book. */
static inline void fuzz_natports_check(struct fuzz_natports *f, const struct cthd_conntrack *ct,
				       const struct cthd_result *res)
{
	const struct cthd_natports *b = &f->book;

	if (res->verdict == CTHD_DROP) {
		cthd_natports_undo(&f->book);
		if (memcmp(f->before, b->slot, sizeof(f->before)))
			abort();
		return;
	}
	for (unsigned int i = 0; i < res->n_expect; i++) {
		const struct cthd_expect *e = &res->expect[i];
		uint32_t max;

		if (!e->nat || e->class >= b->helper->n_policies ||
		    e->tuple.dport == ct->tuple[CTHD_DIR_REPLY].dport ||
		    e->tuple.dport == ct->tuple[CTHD_DIR_ORIGINAL].sport)
			continue;
		max = b->helper->policies[e->class].max_expected;
		if (!fuzz_natports_count(b, ct, e->class, e) &&
		    !(max && fuzz_natports_count(b, ct, e->class, NULL) >= max))
			abort();
	}
}

#endif
