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
	if (st->version != CTHD_STREAM_VERSION) {
		/* all zeroes (a new connection), or written by another layout */
		if (memcmp(st, &(struct cthd_stream){ 0 }, sizeof(*st)))
			res->lost++;
		memset(st, 0, sizeof(*st));
		st->version = CTHD_STREAM_VERSION;
	}

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
