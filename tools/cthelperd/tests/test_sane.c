// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SANE helper unit tests: hostile and malformed start replies first (a
 * reply nobody asked for, a port word over 16 bits, a resource string
 * longer than the message, a pipelined reply that echoes client data, a
 * reply cut across segments, retransmissions, a gap), then the session
 * scanimage 1.2.1 (net backend) and saned 1.2.1 (test backend) ran, as
 * recorded with tcpdump on Debian 12, through the registered helper, IPv4
 * and IPv6, without NAT, with SNAT and with DNAT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/sane.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

/* sizeof - 1: the literals' own final NUL is not part of the message */
#define MSG(s) { (const uint8_t *)(s), sizeof(s) - 1 }

struct reply_case {
	const char *name;
	struct { const uint8_t *data; size_t len; } msg;
	int rc;			/* 1 a start on a port, 0 unsuccessful, -EINVAL */
	uint16_t port;
};

static const struct reply_case reply_cases[] = {
	/* hostile or malformed */
	{ "empty", MSG(""), -EINVAL },
	{ "status_and_port_only", MSG("\0\0\0\0\0\0\xad\x97"), -EINVAL },
	{ "no_resource_word", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34"), -EINVAL },
	{ "port_word_over_16_bits", MSG("\0\0\0\0\0\1\xad\x97\0\0\x12\x34\0\0\0\0"), -EINVAL },
	{ "port_zero_with_success", MSG("\0\0\0\0\0\0\0\0\0\0\x12\x34\0\0\0\0"), -EINVAL },
	{ "unknown_byte_order", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x35\0\0\0\0"), -EINVAL },
	{ "resource_longer_than_message", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\x10net:x\0"), -EINVAL },
	{ "resource_overlong", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\x7f\xff\xff\xff"), -EINVAL },
	{ "resource_not_terminated", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\4test"), -EINVAL },
	/* a CONTROL_OPTION reply (status, info, type, size, ...) is no start reply */
	{ "control_option_reply", MSG("\0\0\0\0\0\0\0\4\0\0\0\2\0\0\0\4\0\0\0\1\0\x14\0\0\0\0\0\0"), -EINVAL },
	{ "control_option_reply_echoing_a_port", MSG("\0\0\0\0\0\0\x1f\x90\0\0\0\2\0\0\0\4\0\0\0\1\0\x14\0\0\0\0\0\0"), -EINVAL },
	/* what saned sends */
	{ "saned_start_reply", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\0"), 1, 44439 },
	{ "saned_start_reply_big_endian", MSG("\0\0\0\0\0\0\xad\x97\0\0\x43\x21\0\0\0\0"), 1, 44439 },
	{ "saned_start_reply_with_resource", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\7test:0\0"), 1, 44439 },
	{ "saned_start_reply_then_more", MSG("\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\0\0\0\0\0"), 1, 44439 },
	{ "saned_start_failed_device_busy", MSG("\0\0\0\3\0\0\0\0\0\0\x12\x34\0\0\0\0"), 0 },
	{ "saned_start_failed_access_denied", MSG("\0\0\0\13\0\0\0\0\0\0\x12\x34\0\0\0\0"), 0 },
};

static void test_reply_table(struct tap *t)
{
	for (size_t i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];
		uint16_t port = 0;
		char name[96];
		int rc = sane_parse_start_reply(c->msg.data, c->msg.len, &port);

		snprintf(name, sizeof(name), "sane_start_reply_%s", c->name);
		tap_check(t, rc == c->rc && (rc != 1 || port == c->port), name,
			  "rc %d (want %d) port %u", rc, c->rc, port);
	}
}

static void test_request(struct tap *t)
{
	tap_check(t, sane_parse_start_request((const uint8_t *)"\0\0\0\7\0\0\0\0", 8) == 1,
		  "sane_start_request_of_scanimage", "not a start request");
	tap_check(t, !sane_parse_start_request((const uint8_t *)"\0\0\0\7\0\0\0\0\0", 9),
		  "sane_start_request_with_a_byte_more_is_not_one", "read as one");
	tap_check(t, !sane_parse_start_request((const uint8_t *)"\0\0\0\6\0\0\0\0", 8),
		  "sane_get_parameters_is_no_start_request", "read as one");
	tap_check(t, !sane_parse_start_request((const uint8_t *)"\1\0\0\7\0\0\0\0", 8),
		  "sane_procedure_over_8_bits_is_no_start_request", "read as one");
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("sane");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_TCP &&
		  h->default_port == 6566 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 1 && h->policies[0].timeout == 300,
		  "sane_registered_with_the_kernel_policy", "%s", why);
}

/*
 * The session, segment by segment: direction, offset in its direction's
 * stream, length on the wire, bytes kept here. The two segments of the
 * option descriptors (8189 and 1684 bytes) keep their first 96 bytes; the
 * rest is sent as zeroes (it is option texts, never read: not a start reply).
 */
struct seg {
	enum cthd_dir dir;
	uint32_t off;
	size_t len, kept;
	const char *data;
};

static const struct seg scanimage_session[] = {
	{ O, 0, 12, 12,
		"\x00\x00\x00\x00\x01\x01\x00\x03\x00\x00\x00\x00" },
	{ R, 0, 8, 8,
		"\x00\x00\x00\x00\x01\x01\x00\x03" },
	{ O, 12, 15, 15,
		"\x00\x00\x00\x02\x00\x00\x00\x07\x74\x65\x73\x74\x3a\x30\x00" },
	{ R, 8, 12, 12,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" },
	{ O, 27, 8, 8,
		"\x00\x00\x00\x04\x00\x00\x00\x00" },
	{ R, 20, 8189, 96,
		"\x00\x00\x00\x39\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"
		"\x12\x4e\x75\x6d\x62\x65\x72\x20\x6f\x66\x20\x6f\x70\x74\x69\x6f"
		"\x6e\x73\x00\x00\x00\x00\x4d\x52\x65\x61\x64\x2d\x6f\x6e\x6c\x79"
		"\x20\x6f\x70\x74\x69\x6f\x6e\x20\x74\x68\x61\x74\x20\x73\x70\x65"
		"\x63\x69\x66\x69\x65\x73\x20\x68\x6f\x77\x20\x6d\x61\x6e\x79\x20"
		"\x6f\x70\x74\x69\x6f\x6e\x73\x20\x61\x20\x73\x70\x65\x63\x69\x66" },
	{ R, 8209, 1684, 96,
		"\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06"
		"\x66\x69\x78\x65\x64\x00\x00\x00\x00\x0c\x28\x31\x2f\x33\x29\x20"
		"\x46\x69\x78\x65\x64\x00\x00\x00\x00\x3c\x28\x31\x2f\x33\x29\x20"
		"\x46\x69\x78\x65\x64\x20\x74\x65\x73\x74\x20\x6f\x70\x74\x69\x6f"
		"\x6e\x20\x77\x69\x74\x68\x20\x6e\x6f\x20\x75\x6e\x69\x74\x20\x61"
		"\x6e\x64\x20\x6e\x6f\x20\x63\x6f\x6e\x73\x74\x72\x61\x69\x6e\x74" },
	{ O, 35, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		"\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 9893, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x39\x00\x00\x00\x00" },
	{ O, 67, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		"\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 9921, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x39\x00\x00\x00\x00" },
	{ O, 99, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 9949, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x50\x00\x00\x00\x00\x00\x00" },
	{ O, 131, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x18\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 9977, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00" },
	{ O, 163, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x1b\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 10005, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x64\x00\x00\x00\x00\x00\x00" },
	{ O, 195, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x19\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 10033, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00" },
	{ O, 227, 33, 33,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01"
		"\x00\x00\x00\x03\x00\x00\x00\x05\x00\x00\x00\x05\x47\x72\x61\x79"
		"\x00" },
	{ R, 10061, 29, 29,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x05"
		"\x00\x00\x00\x05\x47\x72\x61\x79\x00\x00\x00\x00\x00" },
	{ O, 260, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x18\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 10090, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00" },
	{ O, 292, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x01"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x14\x00\x00" },
	{ R, 10118, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x14\x00\x00\x00\x00\x00\x00" },
	{ O, 324, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x19\x00\x00\x00\x00"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x00\x00\x00" },
	{ R, 10146, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00" },
	{ O, 356, 32, 32,
		"\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x1b\x00\x00\x00\x01"
		"\x00\x00\x00\x02\x00\x00\x00\x04\x00\x00\x00\x01\x00\x14\x00\x00" },
	{ R, 10174, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x02\x00\x00\x00\x04"
		"\x00\x00\x00\x01\x00\x14\x00\x00\x00\x00\x00\x00" },
	{ O, 388, 8, 8,
		"\x00\x00\x00\x07\x00\x00\x00\x00" },
	{ R, 10202, 16, 16,
		"\x00\x00\x00\x00\x00\x00\xad\x97\x00\x00\x12\x34\x00\x00\x00\x00" },
	{ O, 396, 8, 8,
		"\x00\x00\x00\x06\x00\x00\x00\x00" },
	{ R, 10218, 28, 28,
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x27"
		"\x00\x00\x00\x27\x00\x00\x00\x27\x00\x00\x00\x08" },
	{ O, 404, 8, 8,
		"\x00\x00\x00\x08\x00\x00\x00\x00" },
	{ R, 10246, 4, 4,
		"\x00\x00\x00\x00" },
	{ O, 412, 8, 8,
		"\x00\x00\x00\x03\x00\x00\x00\x00" },
	{ R, 10250, 4, 4,
		"\x00\x00\x00\x00" },
	{ O, 420, 4, 4,
		"\x00\x00\x00\x0a" },
};

#define SESSION_LEN (sizeof(scanimage_session) / sizeof(scanimage_session[0]))

/* The index of saned's answer to the session's start request. */
static size_t start_reply_index(void)
{
	for (size_t i = 0; i + 1 < SESSION_LEN; i++)
		if (sane_parse_start_request((const uint8_t *)scanimage_session[i].data,
					     scanimage_session[i].len))
			return i + 1;
	return SESSION_LEN;
}

#define START_REPLY start_reply_index()

static int send_seg(struct conv *k, const struct seg *s)
{
	static uint8_t buf[10000];
	int rc;

	memset(buf, 0, s->len);
	memcpy(buf, s->data, s->kept);
	rc = conv_send_len(k, s->dir, buf, s->len);
	k->out_len[s->dir] = 0;		/* nothing is edited: no need to keep it */
	return rc;
}

/* Client c:40210 to saned on s:6566 (seen as s_pub, c as c_nat by it). */
static void sane_open(struct conv *k, const char *c, const char *c_nat, const char *s,
		      const char *s_pub)
{
	conv_init(k, "sane", c, c_nat, 40210, s, s_pub, 6566);
}

/* where the session's direction dir stands before segment `before` */
static uint32_t stream_pos(enum cthd_dir dir, size_t before)
{
	uint32_t pos = 0;

	for (size_t i = 0; i < before; i++)
		if (scanimage_session[i].dir == dir)
			pos = scanimage_session[i].off + (uint32_t)scanimage_session[i].len;
	return pos;
}

static int replay(struct conv *k, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct seg *s = &scanimage_session[i];
		int rc;

		/* the capture has no gap: each segment follows the last of its direction */
		if (i > 0 && s->off != stream_pos(s->dir, i))
			return -EILSEQ;
		rc = send_seg(k, s);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static void test_session(struct tap *t, const char *name, const char *c, const char *c_nat,
			 const char *s, const char *s_pub)
{
	const struct cthd_expect *e;
	struct conv k;
	bool natted = strcmp(c, c_nat) || strcmp(s, s_pub);
	union cthd_addr real;
	int rc;

	sane_open(&k, c, c_nat, s, s_pub);
	rc = replay(&k, 0, START_REPLY);
	tap_check(t, rc == 0 && k.n_expect == 0 && k.parse_errors == 0 && k.lost == 0,
		  name, "before the start reply: rc %d, %u expectations, %u errors, %u lost",
		  rc, k.n_expect, k.parse_errors, k.lost);
	rc = send_seg(&k, &scanimage_session[START_REPLY]);
	e = &k.last.expect[0];
	conv_set_addr(&real, s);
	tap_check(t, rc == 0 && k.last.n_expect == 1 && k.last.n_mangle == 0 &&
		  conv_expect_is(e, IPPROTO_TCP, c, s_pub, 44439) && e->nat == natted &&
		  (!natted || (e->nat_dir == O && e->nat_port == 44439 &&
			       !memcmp(&e->nat_addr, &real, sizeof(real)))),
		  name, "rc %d, %u expectations, %u edits, nat %d", rc, k.last.n_expect,
		  k.last.n_mangle, e->nat);
	rc = replay(&k, START_REPLY + 1, SESSION_LEN);
	tap_check(t, rc == 0 && k.n_expect == 1 && k.n_mangled == 0 && k.parse_errors == 0 &&
		  k.lost == 0 && k.dropped == 0, name,
		  "after it: rc %d, %u expectations, %u edited, %u errors, %u lost, %u dropped",
		  rc, k.n_expect, k.n_mangled, k.parse_errors, k.lost, k.dropped);
}

static const uint8_t start_request[] = "\0\0\0\7\0\0\0\0";
static const uint8_t start_reply[] = "\0\0\0\0\0\0\xad\x97\0\0\x12\x34\0\0\0\0";

/* up to the start request's answer, which is not sent */
static void session_before_reply(struct conv *k)
{
	sane_open(k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	replay(k, 0, START_REPLY);
	k->n_expect = k->parse_errors = k->lost = 0;
}

static void test_hostile(struct tap *t)
{
	struct conv k;
	uint32_t seq;

	/* a start reply nobody asked for */
	sane_open(&k, "10.0.1.1", "10.0.1.1", "10.0.2.2", "10.0.2.2");
	replay(&k, 0, 4);
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 0, "sane_reply_without_request_opens_nothing",
		  "%u expectations", k.n_expect);

	/* a request then another one: the reply answers the other */
	session_before_reply(&k);
	conv_send_len(&k, O, "\0\0\0\6\0\0\0\0", 8);
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 0, "sane_reply_after_another_request_opens_nothing",
		  "%u expectations", k.n_expect);

	/* the answer to the start request is not a start reply: nothing, then or later */
	session_before_reply(&k);
	conv_send_len(&k, R, "\0\0\0\0\0\0\x1f\x90\0\0\0\2\0\0\0\4\0\0\0\1\0\x14\0\0\0\0\0\0", 28);
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1,
		  "sane_pipelined_reply_echoing_a_port_opens_nothing",
		  "%u expectations, %u errors", k.n_expect, k.parse_errors);

	/* a start reply cut in two segments (the client's MSS): not read */
	session_before_reply(&k);
	conv_send_len(&k, R, start_reply, 8);
	conv_send_len(&k, R, start_reply + 8, 8);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1,
		  "sane_start_reply_cut_in_two_opens_nothing", "%u expectations, %u errors",
		  k.n_expect, k.parse_errors);

	/* reordered: a segment past unseen bytes is not read, the in-order one is */
	session_before_reply(&k);
	seq = k.seq[R];
	conv_send_seq_len(&k, R, seq + 4, start_reply, 16);
	conv_send_seq_len(&k, R, seq, start_reply, 16);
	tap_check(t, k.n_expect == 1 && k.lost == 1,
		  "sane_segment_past_unseen_bytes_is_not_read",
		  "%u expectations (want 1: the in-order copy), %u lost",
		  k.n_expect, k.lost);

	/* an old server segment retransmitted while a start is requested */
	session_before_reply(&k);
	conv_send_seq_len(&k, R, k.seq[R] - 28, scanimage_session[START_REPLY - 2].data, 28);
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 1 && k.parse_errors == 0,
		  "sane_retransmitted_old_reply_is_not_the_answer",
		  "%u expectations, %u errors", k.n_expect, k.parse_errors);

	/* the start reply retransmitted: no second expectation */
	seq = k.seq[R] - 16;
	conv_send_seq_len(&k, R, seq, start_reply, 16);
	tap_check(t, k.n_expect == 1, "sane_retransmitted_start_reply_opens_nothing_more",
		  "%u expectations", k.n_expect);

	/* the start request retransmitted after the reply, then the reply again */
	conv_send_seq_len(&k, O, k.seq[O] - 8, start_request, 8);
	conv_send_seq_len(&k, R, seq, start_reply, 16);
	tap_check(t, k.n_expect == 1, "sane_retransmitted_request_and_reply_open_nothing_more",
		  "%u expectations", k.n_expect);

	/* not established: nothing read */
	session_before_reply(&k);
	k.not_established = true;
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 0, "sane_not_established_reply_opens_nothing",
		  "%u expectations", k.n_expect);

	/* the request coalesced with another message is not one (the kernel's rule) */
	session_before_reply(&k);
	conv_send_len(&k, O, "\0\0\0\6\0\0\0\0\0\0\0\7\0\0\0\0", 16);
	conv_send_len(&k, R, start_reply, 16);
	tap_check(t, k.n_expect == 0, "sane_request_coalesced_behind_another_opens_nothing",
		  "%u expectations", k.n_expect);
}

int main(void)
{
	struct tap t = { 0 };

	test_registry(&t);
	test_request(&t);
	test_reply_table(&t);
	test_hostile(&t);
	test_session(&t, "sane_scanimage_session_ipv4", "10.0.1.1", "10.0.1.1", "10.0.2.2",
		     "10.0.2.2");
	test_session(&t, "sane_scanimage_session_ipv6", "dead:1::1", "dead:1::1", "dead:2::2",
		     "dead:2::2");
	test_session(&t, "sane_scanimage_session_ipv4_snat", "10.0.1.1", "203.0.113.1",
		     "10.0.2.2", "10.0.2.2");
	test_session(&t, "sane_scanimage_session_ipv4_dnat", "10.0.1.1", "10.0.1.1", "10.0.2.2",
		     "198.51.100.2");
	test_session(&t, "sane_scanimage_session_ipv6_snat", "dead:1::1", "2001:db8::1",
		     "dead:2::2", "dead:2::2");
	test_session(&t, "sane_scanimage_session_ipv6_dnat", "dead:1::1", "dead:1::1",
		     "dead:2::2", "2001:db8:2::2");
	return tap_done(&t);
}
