// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TCP stream layer for framed message protocols: see helper.h. As for
 * lines (stream.c), where a message starts is a security decision: a body
 * may carry any text a peer chose (a SIP MESSAGE, an SDP written by the
 * other side), so a segment is read only from a position this layer knows
 * to be a message start, from the lengths of the messages before it.
 */
#include <errno.h>
#include <string.h>

#include "helper.h"

#define MS_SEEN(dir)	(1u << (dir))		/* next_seq is valid */
#define MS_MARK(dir)	(1u << (2 + (dir)))	/* mark_seq is valid */
#define MS_LOST(dir)	(1u << (4 + (dir)))	/* boundaries unknown: read nothing */

/* a after b, in sequence space */
static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Where in [seq, seq + len) a known message start lies, or len for none. */
static size_t first_start(const struct cthd_msg_stream *st, enum cthd_dir dir, uint32_t seq,
			  size_t len)
{
	size_t best = len;

	if ((st->flags & MS_MARK(dir)) && st->mark_seq[dir] - seq < len)
		best = st->mark_seq[dir] - seq;
	if ((st->flags & MS_SEEN(dir)) && st->next_seq[dir] - seq < best)
		best = st->next_seq[dir] - seq;
	return best;
}

int cthd_stream_messages(const struct cthd_packet *pkt, struct cthd_msg_stream *st,
			 struct cthd_result *res, const struct cthd_msg_ops *ops, void *ctx)
{
	const char *data = (const char *)pkt->payload;
	size_t len = pkt->payload_len, start, pos;
	enum cthd_dir dir = pkt->dir;
	uint32_t seq = pkt->tcp_seq, next;
	unsigned int n_expect = res->n_expect, n_mangle = res->n_mangle;
	uint32_t expect_flush = res->expect_flush;
	struct cthd_expect expect_before[CTHD_EXPECT_MAX];
	struct cthd_msg_stream old = *st, before;
	bool dropped_before = res->verdict == CTHD_DROP;

	if (!pkt->established || len == 0)
		return 0;
	if (st->version != CTHD_MSG_STREAM_VERSION) {
		if (memcmp(st, &(struct cthd_msg_stream){ 0 }, sizeof(*st)))
			res->lost++;
		memset(st, 0, sizeof(*st));
		st->version = CTHD_MSG_STREAM_VERSION;
	}
	if (st->flags & MS_LOST(dir))
		goto out;
	if (!(st->flags & MS_SEEN(dir))) {
		/* the direction's first payload: a message starts here */
		st->next_seq[dir] = seq;
		st->flags |= MS_SEEN(dir);
	}
	before = *st;
	/* a flush may take these out of res: kept to undo a dropped segment */
	memcpy(expect_before, res->expect, n_expect * sizeof(res->expect[0]));
	start = first_start(st, dir, seq, len);
	next = st->next_seq[dir];
	for (pos = start; pos < len;) {
		long n = ops->frame(ctx, data + pos, len - pos);
		int err;

		if (n < 0) {
			res->parse_errors++;
			st->flags |= MS_LOST(dir);
			break;
		}
		if (n == 0) {
			if (pos == 0 && len <= CTHD_MSG_HEAD_WAIT_MAX) {
				/* resent with the rest; read from here again */
				res->verdict = CTHD_DROP;
				st->mark_seq[dir] = seq;
				st->flags |= MS_MARK(dir);
				goto out;
			}
			res->lost++;
			st->flags |= MS_LOST(dir);
			break;
		}
		if (n > INT32_MAX) {
			/* a length past half the sequence space cannot place the next start */
			res->lost++;
			st->flags |= MS_LOST(dir);
			break;
		}
		if ((size_t)n > len - pos) {
			res->lost++;		/* cut by the segment's end: not read */
		} else {
			/* also a retransmission of one read before: the same edits again */
			err = ops->message(ctx, data + pos, (size_t)n, pos);
			if (err < 0)
				return err;
			if (res->verdict == CTHD_DROP && !dropped_before) {
				/*
				 * A message the helper cannot pass (its rewrite does not
				 * fit): nothing of the segment goes out, so no edit or
				 * expectation of it either, and the stream stays where it
				 * was so that every copy is read and dropped the same.
				 */
				memcpy(res->expect, expect_before, n_expect * sizeof(res->expect[0]));
				res->n_expect = n_expect;
				res->n_mangle = n_mangle;
				res->expect_flush = expect_flush;
				*st = before;
				goto out;
			}
		}
		if (seq_after(seq + (uint32_t)pos + (uint32_t)n, next))
			next = seq + (uint32_t)pos + (uint32_t)n;
		pos += (size_t)n;
	}
	if (!(st->flags & MS_LOST(dir)) && seq_after(next, st->next_seq[dir]))
		st->next_seq[dir] = next;
	if (res->n_expect + res->n_mangle != n_expect + n_mangle ||
	    res->expect_flush != expect_flush) {
		st->mark_seq[dir] = seq + (uint32_t)start;
		st->flags |= MS_MARK(dir);
	}
out:
	if (memcmp(&old, st, sizeof(old)))
		res->priv_changed = true;
	return 0;
}
