// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TCP stream layer for line protocols.
 *
 * Where a line starts is a security decision: a server that echoes client
 * text ("550 /<text>: No such file") sends that text in the middle of a
 * line, and a client that controls the segmentation (its MSS, its ACKs)
 * can make that text begin a segment, or a retransmitted copy of one. So a
 * segment's first byte counts as a line start only when this layer saw the
 * '\n' before it: the end of the furthest segment when that ended a line
 * (next_seq), or the start of the last parse that acted (mark_seq: an
 * expectation, a rewrite or a drop), so a retransmission of that segment
 * is read, and rewritten, as the first copy was. Bytes after a '\n' inside a segment always start a line. Nothing
 * else is read, which is also how the kernel's FTP helper behaves
 * (seq_aft_nl), and how a gap (bytes never seen) resynchronises.
 *
 * Lines are never reassembled across segments: a line the helper wants
 * whole that fills the segment from its first byte makes the segment
 * dropped (the sender resends it with the rest of the line), and its start
 * becomes the mark; one that starts later in the segment is counted lost,
 * since dropping could stall a connection whose segments are full-sized.
 */
#include <errno.h>
#include <string.h>

#include "helper.h"

#define ST_SEEN(dir)		(1u << (dir))		/* next_seq is valid */
#define ST_NEXT_LINE(dir)	(1u << (2 + (dir)))	/* next_seq starts a line */
#define ST_MARK(dir)		(1u << (4 + (dir)))	/* mark_seq is valid */

/* How far behind the end a mark is kept: far more than any TCP window. */
#define CTHD_STREAM_MARK_SPAN	(1u << 30)

/* a after b, in sequence space */
static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static bool starts_line(const struct cthd_stream *st, enum cthd_dir dir, uint32_t seq)
{
	return ((st->flags & ST_NEXT_LINE(dir)) && seq == st->next_seq[dir]) ||
	       ((st->flags & ST_MARK(dir)) && seq == st->mark_seq[dir]);
}

/* all zeroes (a new connection), or written by another layout: nothing seen */
static void stream_init(struct cthd_stream *st, struct cthd_result *res)
{
	if (st->version == CTHD_STREAM_VERSION)
		return;
	if (memcmp(st, &(struct cthd_stream){ 0 }, sizeof(*st)))
		res->lost++;
	memset(st, 0, sizeof(*st));
	st->version = CTHD_STREAM_VERSION;
}

int cthd_stream_lines(const struct cthd_packet *pkt, struct cthd_stream *st,
		      struct cthd_result *res, const struct cthd_line_ops *ops, void *ctx)
{
	const char *data = (const char *)pkt->payload;
	size_t len = pkt->payload_len, start = 0, pos;
	enum cthd_dir dir = pkt->dir;
	uint32_t end = pkt->tcp_seq + (uint32_t)len;
	unsigned int acted = res->n_expect + res->n_mangle;
	struct cthd_stream old = *st;

	if (!pkt->established || len == 0)
		return 0;
	stream_init(st, res);

	if (!starts_line(st, dir, pkt->tcp_seq)) {
		const char *nl = memchr(data, '\n', len);

		start = nl ? (size_t)(nl - data) + 1 : len;
	}
	for (pos = start; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t line_len;
		int err;

		if (!nl) {
			line_len = len - pos;
			if (line_len > CTHD_STREAM_WHOLE_MAX ||
			    !ops->wants_whole(ctx, data + pos, line_len))
				break;
			if (pos == 0) {
				/*
				 * Nothing of it reaches the peer; only remember that
				 * a line starts here, so the resent copy is read
				 * (dropped again, or read whole) even when later
				 * segments moved next_seq on meanwhile.
				 */
				res->verdict = CTHD_DROP;
				st->mark_seq[dir] = pkt->tcp_seq;
				st->flags |= ST_MARK(dir);
				goto out;
			}
			res->lost++;
			break;
		}
		line_len = (size_t)(nl - (data + pos));
		err = ops->line(ctx, data + pos, line_len && nl[-1] == '\r' ? line_len - 1 : line_len,
				pos);
		if (err < 0)
			return err;
		pos += line_len + 1;
	}

	if (!(st->flags & ST_SEEN(dir)) || seq_after(end, st->next_seq[dir])) {
		/*
		 * A mark far behind the stream's end names a line start only
		 * modulo 2^32: after 4 GiB the same number is mid-line again.
		 */
		if (end - st->mark_seq[dir] > CTHD_STREAM_MARK_SPAN)
			st->flags &= ~ST_MARK(dir);
		st->next_seq[dir] = end;
		st->flags |= ST_SEEN(dir);
		if (data[len - 1] == '\n')
			st->flags |= ST_NEXT_LINE(dir);
		else
			st->flags &= ~ST_NEXT_LINE(dir);
	}
	if (res->n_expect + res->n_mangle != acted) {
		st->mark_seq[dir] = pkt->tcp_seq + (uint32_t)start;
		st->flags |= ST_MARK(dir);
	}
out:
	if (memcmp(&old, st, sizeof(old)))
		res->priv_changed = true;
	return 0;
}

/*
 * Messages. next_seq (with ST_NEXT_LINE) is the next message start, which
 * may lie beyond what was seen (the rest of a long message is skipped);
 * without it, after ST_SEEN, the direction is lost: nothing but a copy of
 * the segment that acted is read again. Where a message starts is known
 * only from the lengths of the messages before it, so a gap cannot be
 * crossed, and unlike lines nothing resynchronises: a body or a binary
 * field carries whatever bytes a peer chose.
 */

/* Where in [seq, seq + len) a known message start lies, or len for none. */
static size_t first_message(const struct cthd_stream *st, enum cthd_dir dir, uint32_t seq,
			    size_t len)
{
	size_t best = len;

	if ((st->flags & ST_MARK(dir)) && st->mark_seq[dir] - seq < len)
		best = st->mark_seq[dir] - seq;
	if ((st->flags & ST_NEXT_LINE(dir)) && st->next_seq[dir] - seq < best)
		best = st->next_seq[dir] - seq;
	return best;
}

int cthd_stream_messages(const struct cthd_packet *pkt, struct cthd_stream *st,
			 struct cthd_result *res, const struct cthd_msg_ops *ops, void *ctx)
{
	const uint8_t *data = pkt->payload;
	size_t len = pkt->payload_len, start, pos;
	enum cthd_dir dir = pkt->dir;
	uint32_t seq = pkt->tcp_seq, next;
	unsigned int n_expect = res->n_expect, n_mangle = res->n_mangle;
	uint32_t expect_flush = res->expect_flush;
	struct cthd_expect expect_before[CTHD_EXPECT_MAX];
	struct cthd_stream old = *st, before;
	bool dropped_before = res->verdict == CTHD_DROP, synced;

	if (!pkt->established || len == 0)
		return 0;
	stream_init(st, res);

	if (!(st->flags & ST_SEEN(dir))) {
		/* the direction's first payload: the stream's start */
		st->next_seq[dir] = seq;
		st->flags |= ST_SEEN(dir) | ST_NEXT_LINE(dir);
	}
	before = *st;
	/* a flush may take these out of res: kept to undo a dropped segment */
	memcpy(expect_before, res->expect, n_expect * sizeof(res->expect[0]));
	synced = st->flags & ST_NEXT_LINE(dir);
	start = first_message(st, dir, seq, len);
	if (start == len) {
		/*
		 * Inside a message, a copy of old bytes, or past bytes not
		 * seen yet (reordered: what it holds is missed, but the next
		 * message start stays known, for the bytes before it still come).
		 */
		if (synced && seq_after(seq, st->next_seq[dir]))
			res->lost++;
		goto out;
	}
	for (pos = start; pos < len;) {
		long n = ops->frame(ctx, data + pos, len - pos);
		int err;

		if (n < 0) {
			res->parse_errors++;
			synced = false;
			break;
		}
		if (n > INT32_MAX) {
			/* a length past half the sequence space cannot place the next start */
			res->lost++;
			synced = false;
			break;
		}
		if (n == 0 || (size_t)n > len - pos) {
			if (pos == 0 && ops->wants_whole && len <= CTHD_MSG_WHOLE_MAX &&
			    (size_t)n <= CTHD_MSG_WHOLE_MAX &&
			    ops->wants_whole(ctx, data, len, (size_t)n)) {
				/* resent with the rest: read from here again */
				res->verdict = CTHD_DROP;
				st->mark_seq[dir] = seq;
				st->flags |= ST_MARK(dir);
				goto out;
			}
			res->lost++;		/* not read */
			if (n == 0) {		/* the next message's start is unknown */
				synced = false;
				break;
			}
			pos += (size_t)n;	/* its rest is skipped */
			break;
		}
		/* also a retransmission of one read before: the same edits again */
		err = ops->message(ctx, data + pos, (size_t)n, pos);
		if (err < 0)
			return err;
		if (res->verdict == CTHD_DROP && !dropped_before) {
			/*
			 * A message the helper cannot pass (its rewrite does not
			 * fit): nothing of the segment goes out, so no edit or
			 * expectation of it either, and the stream stays where it
			 * was, so that every copy is read and dropped the same.
			 */
			memcpy(res->expect, expect_before, n_expect * sizeof(res->expect[0]));
			res->n_expect = n_expect;
			res->n_mangle = n_mangle;
			res->expect_flush = expect_flush;
			*st = before;
			goto out;
		}
		pos += (size_t)n;
	}

	next = seq + (uint32_t)pos;
	if (!synced)
		st->flags &= ~ST_NEXT_LINE(dir);
	else if (seq_after(next, st->next_seq[dir]))
		st->next_seq[dir] = next;	/* a copy from the mark never moves it back */
	if (next - st->mark_seq[dir] > CTHD_STREAM_MARK_SPAN)
		st->flags &= ~ST_MARK(dir);
	if (res->n_expect + res->n_mangle != n_expect + n_mangle ||
	    res->expect_flush != expect_flush) {
		st->mark_seq[dir] = seq + (uint32_t)start;
		st->flags |= ST_MARK(dir);
	}
out:
	if (memcmp(&old, st, sizeof(old)))
		res->priv_changed = true;
	return 0;
}
