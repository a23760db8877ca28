// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The message layer of stream.c on its own, with a toy length-framed
 * protocol (a 2-byte big-endian total length, then a type byte; type 'E'
 * acts, with an expectation; a length below 3 is no message): messages in
 * one segment, across segments, cut headers, forged message starts inside a
 * message, retransmissions, reordering, drops of cut messages.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL

struct toy {
	struct cthd_stream st;
	struct cthd_result res;
	char seen[256];		/* the types read, in order */
	size_t n_seen;
	size_t offsets[16];
	bool want_whole;
};

static long toy_len(void *ctx, const uint8_t *d, size_t avail)
{
	long len;

	(void)ctx;
	if (avail < 2)
		return 0;
	len = d[0] << 8 | d[1];
	return len < 3 ? -1 : len;
}

static int toy_message(void *ctx, const uint8_t *d, size_t len, size_t offset)
{
	struct toy *t = ctx;
	struct cthd_expect exp = { .l4proto = IPPROTO_TCP };

	(void)len;
	if (t->n_seen < 16)
		t->offsets[t->n_seen] = offset;
	if (t->n_seen < sizeof(t->seen) - 1)
		t->seen[t->n_seen++] = (char)d[2];
	if (d[2] == 'E')
		cthd_result_add_expect(&t->res, &exp);
	return 0;
}

static bool toy_wants_whole(void *ctx, const uint8_t *d, size_t avail, size_t need)
{
	struct toy *t = ctx;

	(void)need;
	return t->want_whole && avail >= 3 && d[2] == 'E';
}

static const struct cthd_msg_ops toy_ops = {
	.frame = toy_len, .message = toy_message, .wants_whole = toy_wants_whole,
};

/* one segment at seq; returns the verdict */
static enum cthd_verdict toy_send(struct toy *t, uint32_t seq, const char *data, size_t len)
{
	struct cthd_packet pkt = {
		.payload = (const uint8_t *)data, .payload_len = len, .l4proto = IPPROTO_TCP,
		.dir = O, .tcp_seq = seq, .established = true,
	};
	unsigned int lost = t->res.lost, errors = t->res.parse_errors;

	memset(&t->res, 0, sizeof(t->res));
	t->res.lost = lost;
	t->res.parse_errors = errors;
	cthd_stream_messages(&pkt, &t->st, &t->res, &toy_ops, t);
	return t->res.verdict;
}

#define SEND(t, seq, s) toy_send(t, seq, s, sizeof(s) - 1)

static void toy_init(struct toy *t)
{
	memset(t, 0, sizeof(*t));
}

static bool seen_is(const struct toy *t, const char *want)
{
	return t->n_seen == strlen(want) && !memcmp(t->seen, want, t->n_seen);
}

int main(void)
{
	struct tap tap = { 0 };
	struct toy t;

	toy_init(&t);
	SEND(&t, 100, "\0\3a\0\4bx\0\3c");
	tap_check(&tap, seen_is(&t, "abc") && t.offsets[1] == 3 && t.offsets[2] == 7,
		  "messages_in_one_segment_from_the_stream_start", "seen %.*s", (int)t.n_seen, t.seen);

	/* a 20-byte message over three segments, its body holding a forged header */
	toy_init(&t);
	SEND(&t, 100, "\0\x14L\0\3E");
	SEND(&t, 106, "\0\3E\0\3E");
	SEND(&t, 112, "xxxxxxxx\0\3b");
	tap_check(&tap, seen_is(&t, "b") && t.offsets[0] == 8 && t.res.n_expect == 0,
		  "long_message_skipped_forged_headers_inside_not_read", "seen %.*s",
		  (int)t.n_seen, t.seen);

	/* a segment that starts inside a message is not read */
	toy_init(&t);
	SEND(&t, 100, "\0\x10L");
	SEND(&t, 106, "\0\3E");
	tap_check(&tap, t.n_seen == 0 && t.res.lost == 1,
		  "segment_inside_a_message_not_read_the_cut_one_counted", "seen %.*s", (int)t.n_seen, t.seen);

	/* reordered: past unseen bytes not read, counted lost; the gap's bytes then are */
	toy_init(&t);
	SEND(&t, 100, "\0\3a");
	SEND(&t, 106, "\0\3E");
	SEND(&t, 103, "\0\3b");
	SEND(&t, 106, "\0\3E");
	tap_check(&tap, seen_is(&t, "abE") && t.res.lost == 1,
		  "reordered_segment_not_read_until_its_start_is_known", "seen %.*s, lost %u",
		  (int)t.n_seen, t.seen, t.res.lost);

	/* a header cut at a segment's end: the next message start is unknown for good */
	toy_init(&t);
	SEND(&t, 100, "\0\3a\0");
	SEND(&t, 104, "\3E");
	SEND(&t, 106, "\0\3E");
	tap_check(&tap, seen_is(&t, "a") && t.res.lost == 1,
		  "cut_header_loses_the_direction", "seen %.*s, lost %u", (int)t.n_seen, t.seen,
		  t.res.lost);

	/* bytes that are no message: counted, nothing read after them */
	toy_init(&t);
	SEND(&t, 100, "\0\1E\0\3E");
	SEND(&t, 105, "\0\3E");
	tap_check(&tap, t.n_seen == 0 && t.res.parse_errors == 1,
		  "no_message_loses_the_direction", "seen %.*s, errors %u", (int)t.n_seen, t.seen,
		  t.res.parse_errors);

	/* a cut message the helper wants whole: dropped, the resent whole copy read */
	toy_init(&t);
	t.want_whole = true;
	SEND(&t, 100, "\0\3a");
	tap_check(&tap, SEND(&t, 103, "\0\6Exx") == CTHD_DROP && t.res.priv_changed,
		  "cut_wanted_message_dropped", "verdict %d", t.res.verdict);
	SEND(&t, 103, "\0\6Exxx");
	tap_check(&tap, seen_is(&t, "aE") && t.res.n_expect == 1,
		  "dropped_message_read_whole_when_resent", "seen %.*s", (int)t.n_seen, t.seen);
	/* that segment retransmitted (its first copy lost later on): read again */
	SEND(&t, 109, "\0\3b");
	SEND(&t, 103, "\0\6Exxx");
	tap_check(&tap, seen_is(&t, "aEbE") && t.res.n_expect == 1,
		  "retransmission_of_the_segment_that_acted_read_again", "seen %.*s",
		  (int)t.n_seen, t.seen);
	/* an older segment retransmitted is not */
	SEND(&t, 100, "\0\3a");
	tap_check(&tap, seen_is(&t, "aEbE"), "older_retransmission_not_read", "seen %.*s",
		  (int)t.n_seen, t.seen);
	/* and the stream goes on where it was */
	SEND(&t, 112, "\0\3c");
	tap_check(&tap, seen_is(&t, "aEbEc"), "stream_goes_on_after_retransmissions",
		  "seen %.*s", (int)t.n_seen, t.seen);

	/* a cut message not wanted whole: its rest is skipped, not dropped */
	toy_init(&t);
	tap_check(&tap, SEND(&t, 100, "\0\x08Lxx") == CTHD_ACCEPT, "cut_message_not_wanted_passes",
		  "dropped");
	SEND(&t, 105, "xxx\0\3d");
	tap_check(&tap, seen_is(&t, "d"), "message_after_a_cut_one_read", "seen %.*s",
		  (int)t.n_seen, t.seen);

	/* sequence numbers wrap */
	toy_init(&t);
	SEND(&t, 0xfffffffe, "\0\5Lxx");
	SEND(&t, 3, "\0\3w");
	tap_check(&tap, seen_is(&t, "Lw"), "messages_across_the_sequence_wrap", "seen %.*s",
		  (int)t.n_seen, t.seen);

	/* the direction's first segment dropped for a cut message: the stream goes on */
	toy_init(&t);
	t.want_whole = true;
	tap_check(&tap, SEND(&t, 100, "\0\6Ex") == CTHD_DROP, "first_segment_cut_dropped",
		  "verdict %d", t.res.verdict);
	SEND(&t, 100, "\0\6Exxx");
	SEND(&t, 106, "\0\3b");
	tap_check(&tap, seen_is(&t, "Eb"), "stream_goes_on_after_a_dropped_first_segment",
		  "seen %.*s", (int)t.n_seen, t.seen);

	/* a retransmission that starts earlier and holds the segment that acted */
	toy_init(&t);
	SEND(&t, 100, "\0\3a");
	SEND(&t, 103, "\0\3E");
	SEND(&t, 106, "\0\3b");
	SEND(&t, 100, "\0\3a\0\3E\0\3b");
	tap_check(&tap, seen_is(&t, "aEbEb") && t.offsets[3] == 3 && t.res.n_expect == 1,
		  "coalesced_retransmission_read_from_the_mark", "seen %.*s", (int)t.n_seen,
		  t.seen);

	/* a lost direction still reads copies of the segment that acted, nothing else */
	toy_init(&t);
	SEND(&t, 100, "\0\3E\0");
	SEND(&t, 104, "\3c\0\3d");
	SEND(&t, 100, "\0\3E\0");
	tap_check(&tap, seen_is(&t, "EE") && t.res.n_expect == 1,
		  "lost_direction_reads_the_copy_that_acted_only", "seen %.*s", (int)t.n_seen,
		  t.seen);

	/* the message layer holds no segment longer than CTHD_MSG_WHOLE_MAX back */
	{
		static char big[CTHD_MSG_WHOLE_MAX + 1];

		toy_init(&t);
		t.want_whole = true;
		big[0] = 0x7f;
		big[1] = 0;
		big[2] = 'E';
		tap_check(&tap, toy_send(&t, 100, big, sizeof(big)) == CTHD_ACCEPT &&
				t.res.lost == 1,
			  "segment_over_the_whole_max_not_dropped", "verdict %d, lost %u",
			  t.res.verdict, t.res.lost);
	}
	return tap_done(&tap);
}
