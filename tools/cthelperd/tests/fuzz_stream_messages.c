// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the message layer (stream.c) against an oracle. The
 * input is a delivery schedule (its first byte: how many 2-byte steps
 * follow), then a byte stream of a toy length-framed protocol (a 2-byte
 * big-endian total length, at least 3). The true message starts are found
 * by walking the stream's lengths from its first byte; the stream's bytes
 * then arrive as segments, the first one from the stream's start (the
 * layer's premise: the kernel queues no SYN, so where a stream starts is
 * where its first data segment does), then in order, retransmitted,
 * overlapping, past gaps and from anywhere before, as the schedule says. Every message the layer
 * hands over must be a true one: at a true start, with its true length,
 * its bytes the stream's.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STREAM_MAX 4096

struct oracle {
	const uint8_t *stream;
	size_t len;
	bool start[STREAM_MAX + 1];	/* a true message starts here */
	uint32_t base;			/* the stream's first sequence number */
	const uint8_t *seg;		/* the segment being read, and its offset */
	size_t seg_off;
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
	struct oracle *o = ctx;
	size_t at = o->seg_off + offset;

	if (d != o->seg + offset || at + len > o->len || !o->start[at] ||
	    (long)len != toy_len(NULL, d, len) || memcmp(d, o->stream + at, len))
		abort();
	return 0;
}

static bool toy_wants_whole(void *ctx, const uint8_t *d, size_t avail, size_t need)
{
	(void)ctx;
	(void)need;
	return avail >= 3 && (d[2] & 1);
}

static const struct cthd_msg_ops toy_ops = {
	.frame = toy_len, .message = toy_message, .wants_whole = toy_wants_whole,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oracle o;
	struct cthd_stream st = { 0 };
	size_t steps, pos, end = 0, last_off = 0, last_len = 0;

	if (size < 1)
		return 0;
	steps = data[0];
	if (1 + 2 * steps > size)
		return 0;
	memset(&o, 0, sizeof(o));
	o.stream = data + 1 + 2 * steps;
	o.len = size - 1 - 2 * steps;
	if (o.len > STREAM_MAX)
		return 0;
	o.base = 0xfffff000u;		/* wraps during a long input */
	for (pos = 0; pos + 2 <= o.len;) {
		long len = toy_len(NULL, o.stream + pos, o.len - pos);

		if (len < 0)
			break;
		o.start[pos] = true;
		pos += (size_t)len;
	}
	if (pos < o.len)
		o.start[pos] = true;	/* a cut header: the layer must not read it */

	for (size_t i = 0; i < steps; i++) {
		uint8_t kind = data[1 + 2 * i], n = data[2 + 2 * i];
		struct cthd_packet pkt = { .l4proto = 6, .established = true };
		struct cthd_result res = { 0 };
		size_t off;

		if (!end)
			kind = 0;		/* the first segment starts the stream */
		switch (kind & 3) {
		case 0: off = end; break;				/* in order */
		case 1: off = last_off; n = (uint8_t)last_len; break;	/* retransmission */
		case 2: off = end + (kind >> 2); break;			/* past a gap */
		default: off = end > (kind >> 2) ? end - (kind >> 2) : 0; break; /* overlap */
		}
		if (off >= o.len || n == 0)
			continue;
		if (n > o.len - off)
			n = (uint8_t)(o.len - off);
		pkt.payload = o.stream + off;
		pkt.payload_len = n;
		pkt.tcp_seq = o.base + (uint32_t)off;
		o.seg = pkt.payload;
		o.seg_off = off;
		if (cthd_stream_messages(&pkt, &st, &res, &toy_ops, &o) < 0)
			abort();
		if (res.verdict == CTHD_DROP)
			continue;		/* the sender resends it */
		last_off = off;
		last_len = n;
		if (off + n > end)
			end = off + n;
	}
	return 0;
}
