/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A conversation through one registered helper, for the helpers' unit
 * tests: a conntrack (client c:cport to server s:sport, c seen by the
 * server as c_nat, s by the client as s_pub), the helper's private data,
 * TCP sequence numbers per direction, and what each side receives after
 * the helper's edits. No kernel, no queue: the helper's process() only.
 */
#ifndef CTHELPERD_TESTS_CONV_H
#define CTHELPERD_TESTS_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

/* what one side may receive in a test: a SANE option list is 10 kB */
#define CONV_OUT_MAX	16384

struct conv {
	const struct cthd_helper *helper;
	struct cthd_conntrack ct;
	uint8_t priv[CTHD_PRIV_MAX];
	uint32_t seq[2];
	char out[2][CONV_OUT_MAX];		/* what each side receives, after edits */
	size_t out_len[2];
	struct cthd_result last;	/* the last packet's result */
	unsigned int n_expect, n_mangled, parse_errors, lost, dropped;
	bool not_established;		/* packets arrive as not established */
	const uint32_t *options;	/* the helper's option values; NULL: defaults */
	struct cthd_natports *natports;	/* NAT port reservations; NULL: as announced */
};

void conv_set_addr(union cthd_addr *a, const char *text);

/* A new conversation through the helper called name (which must exist). */
void conv_init(struct conv *k, const char *name, const char *c, const char *c_nat,
	       uint16_t cport, const char *s, const char *s_pub, uint16_t sport);

/* Clear the output and the counters. */
void conv_reset_counts(struct conv *k);

/*
 * One packet of len bytes in dir (TCP: at sequence number seq). Returns
 * the helper's return code, -EBADMSG when the result breaks the helper
 * contract (priv_changed lying, edits or expectations of a dropped packet).
 */
int conv_send_seq_len(struct conv *k, enum cthd_dir dir, uint32_t seq, const void *data,
		      size_t len);
int conv_send_seq(struct conv *k, enum cthd_dir dir, uint32_t seq, const char *data);
/* At the next sequence number of dir, which then moves on. */
int conv_send(struct conv *k, enum cthd_dir dir, const char *data);
int conv_send_len(struct conv *k, enum cthd_dir dir, const void *data, size_t len);

/*
 * e expects l4proto to dst:dport from src (NULL: from any address), any
 * source port, class 0.
 */
bool conv_expect_is(const struct cthd_expect *e, uint8_t l4proto, const char *src,
		    const char *dst, uint16_t dport);

/* An empty NAT port book for the helper called name, at time now. */
void conv_natports_reset(struct cthd_natports *book, const char *name, uint64_t now);

/* Whether the core's NAT port book holds port (for anyone), live at book->now. */
bool conv_natport_held(const struct cthd_natports *book, uint16_t port);

/* What dir's receiver got is exactly want. */
bool conv_out_is(const struct conv *k, enum cthd_dir dir, const char *want);

#endif
