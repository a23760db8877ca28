// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PPTP helper unit tests. The outgoing call is what pptp-linux 1.10 (pptp
 * --nolaunchpppd) and pptpd 1.4 (Debian 12) exchanged, recorded with
 * tcpdump: SCCRQ, SCCRP, OCRQ (call ID 0x937a), OCRP (pptpd's call ID 0,
 * Connected), CCRQ. The incoming call (ICRQ, ICRP) is built from RFC 2637,
 * for no packaged PAC places incoming calls. Then hostile messages (wrong
 * magic or type, short or huge lengths, cut messages), replies nobody
 * asked for, messages from the wrong side, and NAT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/pptp.h"
#include "conv.h"
#include "tap.h"

#define O CTHD_DIR_ORIGINAL
#define R CTHD_DIR_REPLY

static const char sccrq_hex[] =
	"009c00011a2b3c4d00010000010000000000000300000003ffff00016c6f63616c00000000000000"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000063616e616e69616e0000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000";
static const char sccrp_hex[] =
	"009c00011a2b3c4d00020000010001000000000000000000000100016c6f63616c00000000000000"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000006c696e75780000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000000000000000000000000000";
static const char ocrq_hex[] =
	"00a800011a2b3c4d00070000937a0000000009600098968000000003000000030003000000000000"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000";
static const char ocrp_hex[] =
	"002000011a2b3c4d000800000000937a01000000009896800003000000000000";
static const char ccrq_hex[] =
	"001000011a2b3c4d000c0000937a0000";

static size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex) / 2;

	if (n > size)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t)b;
	}
	return n;
}

/* A control message of type with RFC 2637's length, fields at 12.. */
static size_t build(uint8_t *out, uint16_t type, uint16_t len, const uint8_t *fields,
		    size_t n_fields)
{
	memset(out, 0, len);
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	out[3] = 1;
	memcpy(out + 4, "\x1a\x2b\x3c\x4d", 4);
	out[9] = (uint8_t)type;
	memcpy(out + 12, fields, n_fields);
	return len;
}

static void test_recorded_parse(struct tap *t)
{
	static const struct {
		const char *name, *hex;
		uint16_t type, call_id, peer_call_id;
		uint8_t result;
	} cases[] = {
		{ "sccrq", sccrq_hex, PPTP_SCCRQ, 0, 0, 0 },
		{ "sccrp", sccrp_hex, PPTP_SCCRP, 0, 0, 1 },
		{ "ocrq", ocrq_hex, PPTP_OCRQ, 0x937a, 0, 0 },
		{ "ocrp", ocrp_hex, PPTP_OCRP, 0, 0x937a, 1 },
		{ "ccrq", ccrq_hex, PPTP_CCRQ, 0x937a, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t msg[256];
		size_t len = unhex(cases[i].hex, msg, sizeof(msg));
		unsigned int cut_bad = 0;
		struct pptp_msg m;
		char name[64];
		int rc = pptp_parse(msg, len, &m);
		bool same = m.type == cases[i].type && m.call_id == cases[i].call_id &&
			    m.peer_call_id == cases[i].peer_call_id && m.result == cases[i].result;

		for (size_t cut = 0; cut < len; cut++)
			cut_bad += pptp_parse(msg, cut, &m) != 0;
		snprintf(name, sizeof(name), "pptp_parse_pptp_linux_%s", cases[i].name);
		tap_check(t, rc == (int)len && same && cut_bad == 0, name,
			  "rc %d (len %zu) same %d cuts misread %u", rc, len, same, cut_bad);
	}
}

static void test_hostile_parse(struct tap *t)
{
	uint8_t msg[600], bad[600];
	size_t len = unhex(ocrp_hex, msg, sizeof(msg));
	struct pptp_msg m;
	static const struct { const char *name; size_t at; uint8_t value; } flips[] = {
		{ "magic_cookie", 4, 0x1b },
		{ "management_message_type", 3, 2 },
		{ "reserved0_set", 11, 1 },
		{ "type_zero", 9, 0 },
		{ "type_16", 9, 16 },
		{ "length_below_the_types", 1, 31 },
		{ "length_below_the_header", 1, 4 },
	};

	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		char name[64];
		int rc;

		memcpy(bad, msg, len);
		bad[flips[i].at] = flips[i].value;
		rc = pptp_parse(bad, len, &m);
		snprintf(name, sizeof(name), "pptp_parse_hostile_%s", flips[i].name);
		tap_check(t, rc == -EINVAL, name, "rc %d", rc);
	}
	/* a length beyond any message: refused even when the bytes are there */
	memset(bad, 0, sizeof(bad));
	memcpy(bad, msg, len);
	bad[0] = 0x02;
	bad[1] = 0x01;
	tap_check(t, pptp_parse(bad, sizeof(bad), &m) == -EINVAL, "pptp_parse_hostile_length_513",
		  "parsed");
	bad[0] = 0xff;
	bad[1] = 0xff;
	tap_check(t, pptp_parse(bad, 20, &m) == -EINVAL, "pptp_parse_hostile_length_65535_cut",
		  "not refused");
	/* longer than RFC 2637's size: fine, the next message starts after it */
	memcpy(bad, msg, len);
	bad[1] = 40;
	tap_check(t, pptp_parse(bad, 40, &m) == 40 && m.peer_call_id == 0x937a,
		  "pptp_parse_longer_message_read", "misread");
}

static void send_hex(struct conv *k, enum cthd_dir dir, const char *hex)
{
	uint8_t msg[256];
	size_t len = unhex(hex, msg, sizeof(msg));

	if (conv_send_len(k, dir, msg, len) < 0)
		abort();
}

/* PNS 10.0.1.1 (c_nat as the PAC sees it) to the PAC 10.0.2.2. */
static void pptp_open(struct conv *k, const char *c_nat)
{
	conv_init(k, "pptp", "10.0.1.1", c_nat, 40000, "10.0.2.2", "10.0.2.2", 1723);
}

static void test_outgoing_call(struct tap *t)
{
	struct conv k;

	pptp_open(&k, "10.0.1.1");
	send_hex(&k, O, sccrq_hex);
	send_hex(&k, R, sccrp_hex);
	send_hex(&k, O, ocrq_hex);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 0, "pptp_request_expects_nothing_yet",
		  "n_expect %u", k.n_expect);
	send_hex(&k, R, ocrp_hex);
	tap_check(t, k.last.n_expect == 2 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_GRE, "10.0.2.2", "10.0.1.1", 0x937a) &&
		  conv_expect_is(&k.last.expect[1], IPPROTO_GRE, "10.0.1.1", "10.0.2.2", 0) &&
		  !k.last.expect[0].nat && !k.last.expect[1].nat && k.parse_errors == 0,
		  "pptp_outgoing_call_expects_gre_both_ways_keyed_by_call_id",
		  "n_expect %u errors %u", k.last.n_expect, k.parse_errors);
	send_hex(&k, O, ccrq_hex);
	send_hex(&k, R, ocrp_hex);	/* a reply again: its request was answered */
	tap_check(t, k.n_expect == 2 && k.parse_errors == 1,
		  "pptp_second_reply_to_one_request_expects_nothing", "n_expect %u", k.n_expect);
}

static void test_out_of_order(struct tap *t)
{
	uint8_t msg[256];
	size_t len;
	struct conv k;

	/* no session: a call request and its reply open nothing */
	pptp_open(&k, "10.0.1.1");
	send_hex(&k, O, ocrq_hex);
	send_hex(&k, R, ocrp_hex);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 2, "pptp_call_without_session_ignored",
		  "n_expect %u errors %u", k.n_expect, k.parse_errors);

	/* a reply for another call ID than requested */
	pptp_open(&k, "10.0.1.1");
	send_hex(&k, R, sccrp_hex);
	send_hex(&k, O, ocrq_hex);
	len = unhex(ocrp_hex, msg, sizeof(msg));
	msg[15] ^= 1;
	conv_send_len(&k, R, msg, len);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1, "pptp_reply_to_another_call_ignored",
		  "n_expect %u", k.n_expect);

	/* the PAC cannot request an outgoing call, nor the PNS answer one */
	pptp_open(&k, "10.0.1.1");
	send_hex(&k, R, sccrp_hex);
	send_hex(&k, R, ocrq_hex);
	send_hex(&k, O, ocrp_hex);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 2, "pptp_messages_from_the_wrong_side",
		  "n_expect %u errors %u", k.n_expect, k.parse_errors);

	/* a refused session, and a call that failed */
	pptp_open(&k, "10.0.1.1");
	len = unhex(sccrp_hex, msg, sizeof(msg));
	msg[14] = 2;
	conv_send_len(&k, R, msg, len);
	send_hex(&k, O, ocrq_hex);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 1, "pptp_refused_session_no_calls",
		  "errors %u", k.parse_errors);
	pptp_open(&k, "10.0.1.1");
	send_hex(&k, R, sccrp_hex);
	send_hex(&k, O, ocrq_hex);
	len = unhex(ocrp_hex, msg, sizeof(msg));
	msg[16] = 2;		/* General Error */
	conv_send_len(&k, R, msg, len);
	tap_check(t, k.n_expect == 0 && k.parse_errors == 0, "pptp_failed_call_expects_nothing",
		  "n_expect %u", k.n_expect);

	/* not established: nothing read */
	pptp_open(&k, "10.0.1.1");
	k.not_established = true;
	send_hex(&k, R, sccrp_hex);
	k.not_established = false;
	send_hex(&k, O, ocrq_hex);
	send_hex(&k, R, ocrp_hex);
	tap_check(t, k.n_expect == 0, "pptp_unestablished_session_reply_not_read", "n_expect %u",
		  k.n_expect);
}

static void test_incoming_call(struct tap *t)
{
	uint8_t msg[256];
	struct conv k;
	size_t len;

	pptp_open(&k, "10.0.1.1");
	send_hex(&k, R, sccrp_hex);
	len = build(msg, PPTP_ICRQ, 220, (const uint8_t *)"\x00\x05\x00\x01", 4);
	conv_send_len(&k, R, msg, len);
	/* ICRP: call ID 7, peer's 5, Connect */
	len = build(msg, PPTP_ICRP, 24, (const uint8_t *)"\x00\x07\x00\x05\x01", 5);
	conv_send_len(&k, O, msg, len);
	tap_check(t, k.last.n_expect == 2 &&
		  conv_expect_is(&k.last.expect[0], IPPROTO_GRE, "10.0.2.2", "10.0.1.1", 7) &&
		  conv_expect_is(&k.last.expect[1], IPPROTO_GRE, "10.0.1.1", "10.0.2.2", 5),
		  "pptp_incoming_call_expects_gre_both_ways", "n_expect %u", k.last.n_expect);
}

/* Several messages in one segment; one cut by the segment's end */
static void test_segments(struct tap *t)
{
	uint8_t seg[600];
	size_t n = 0;
	struct conv k;

	pptp_open(&k, "10.0.1.1");
	n += unhex(sccrp_hex, seg, sizeof(seg));
	conv_send_len(&k, R, seg, n);
	n = unhex(ocrq_hex, seg, sizeof(seg));
	n += unhex(ccrq_hex, seg + n, sizeof(seg) - n);
	conv_send_len(&k, O, seg, n);
	n = unhex(ocrp_hex, seg, sizeof(seg));
	conv_send_len(&k, R, seg, n - 1);
	tap_check(t, k.n_expect == 0 && k.lost == 1, "pptp_cut_reply_counted_lost",
		  "n_expect %u lost %u", k.n_expect, k.lost);
	/* its last byte alone is no message either; then the whole reply */
	conv_send_len(&k, R, seg + n - 1, 1);
	conv_send_len(&k, R, seg, n);
	tap_check(t, k.n_expect == 2 && k.lost == 2,
		  "pptp_request_read_after_another_message_in_its_segment", "n_expect %u lost %u",
		  k.n_expect, k.lost);
}

/* SNAT of the PNS: both flows follow the master's NAT. */
static void test_snat(struct tap *t)
{
	const struct cthd_expect *to_pns, *to_pac;
	union cthd_addr pns, pac;
	struct conv k;

	pptp_open(&k, "203.0.113.1");
	send_hex(&k, R, sccrp_hex);
	send_hex(&k, O, ocrq_hex);
	send_hex(&k, R, ocrp_hex);
	to_pns = &k.last.expect[0];
	to_pac = &k.last.expect[1];
	conv_set_addr(&pns, "10.0.1.1");
	conv_set_addr(&pac, "10.0.2.2");
	tap_check(t, k.last.n_expect == 2 &&
		  conv_expect_is(to_pns, IPPROTO_GRE, "10.0.2.2", "203.0.113.1", 0x937a) &&
		  to_pns->nat && to_pns->nat_dir == R && to_pns->nat_port == 0x937a &&
		  !memcmp(&to_pns->nat_addr, &pns, sizeof(pns)) &&
		  conv_expect_is(to_pac, IPPROTO_GRE, "10.0.1.1", "10.0.2.2", 0) &&
		  to_pac->nat && to_pac->nat_dir == O && to_pac->nat_port == 0 &&
		  !memcmp(&to_pac->nat_addr, &pac, sizeof(pac)) &&
		  !strcmp(to_pns->expectfn, "nat-follow-master"),
		  "pptp_snat_gre_follows_the_master", "n_expect %u", k.last.n_expect);
}

static void test_registry(struct tap *t)
{
	const struct cthd_helper *h = cthd_helper_find("pptp");
	const char *why = "not registered";

	tap_check(t, h && cthd_helper_validate(h, &why) == 0 && h->l4proto == IPPROTO_TCP &&
		  h->default_port == 1723 && h->n_policies == 1 &&
		  h->policies[0].max_expected == 2 && h->policies[0].timeout == 300,
		  "pptp_registered_with_the_kernel_policy", "%s", why);
}

int main(void)
{
	struct tap t = { 0 };

	test_recorded_parse(&t);
	test_hostile_parse(&t);
	test_registry(&t);
	test_outgoing_call(&t);
	test_out_of_order(&t);
	test_incoming_call(&t);
	test_segments(&t);
	test_snat(&t);
	return tap_done(&t);
}
