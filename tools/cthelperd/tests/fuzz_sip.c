// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the SIP message parser, the SDP parser and the SIP
 * helper on one datagram, both directions, IPv4 and IPv6, with and without
 * NAT (first input byte). Checked: what the parsers report lies inside the
 * input; a message read on a stream ends where the datagram reading says;
 * the helper never expects a privileged port, nor a destination other than
 * the sender, nor from anyone but its peer; it edits only under NAT, and
 * a rewritten message still parses, its Content-Length its body's length;
 * under NAT the core's port book as fuzz_natports.h checks it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/sip.h"
#include "../mangle.h"
#include "fuzz_natports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(struct sip_span s, size_t len)
{
	if (s.off > len || s.len > len - s.off)
		abort();
}

static void check_sdp(const char *body, size_t len)
{
	struct sdp s;

	if (sdp_parse(body, len, &s) < 0)
		return;
	if (s.n_media > SDP_MEDIA_MAX)
		abort();
	check_span(s.conn.text, len);
	check_span(s.origin.text, len);
	for (unsigned int i = 0; i < s.n_media; i++) {
		check_span(s.media[i].port_text, len);
		check_span(s.media[i].conn.text, len);
		check_span(s.media[i].rtcp_port_text, len);
		check_span(s.media[i].rtcp_addr.text, len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_natports book;
	const struct cthd_helper *h = cthd_helper_find("sip");
	uint8_t priv[CTHD_PRIV_MAX] = { 0 };
	struct cthd_conntrack ct = { 0 };
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	const char *text;
	struct sip_msg m, ms;
	size_t alen;
	bool nat, v6;
	int fam, rc, rcs;

	if (!h || size < 1)
		return 0;
	nat = data[0] & 1;
	v6 = data[0] & 2;
	pkt.dir = data[0] & 4 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	data++;
	size--;
	text = (const char *)data;

	rc = sip_parse_msg(text, size, true, &m);
	if (rc == 1) {
		check_span(m.body, size);
		if (m.length != m.body.off + m.body.len || m.length > size)
			abort();
		check_sdp(text + m.body.off, m.body.len);
	}
	rcs = sip_parse_msg(text, size, false, &ms);
	if (rcs == 1 && (ms.length > size || !ms.has_content_length))
		abort();
	/* a complete stream message is a complete datagram message of its own length */
	if (rcs == 1 && (sip_parse_msg(text, ms.length, true, &m) != 1 || m.length != ms.length))
		abort();
	if (rc == 1 && m.has_content_length && rcs != 1)
		abort();
	check_sdp(text, size);

	fam = v6 ? AF_INET6 : AF_INET;
	alen = v6 ? 16 : 4;
	ct.family = fam;
	ct.l4proto = IPPROTO_UDP;
	inet_pton(fam, v6 ? "fd00::1" : "10.0.0.1", &ct.tuple[0].src);
	inet_pton(fam, v6 ? "fd00::2" : "10.0.0.2", &ct.tuple[0].dst);
	inet_pton(fam, v6 ? "fd00::2" : "10.0.0.2", &ct.tuple[1].src);
	inet_pton(fam, nat ? (v6 ? "2001:db8::1" : "203.0.113.1") : (v6 ? "fd00::1" : "10.0.0.1"),
		  &ct.tuple[1].dst);
	ct.tuple[0].sport = ct.tuple[1].dport = 5060;
	ct.tuple[0].dport = ct.tuple[1].sport = 5060;
	pkt.family = fam;
	pkt.l4proto = IPPROTO_UDP;
	pkt.payload = data;
	pkt.payload_len = size;

	if (nat) {
		fuzz_natports_reset(&book, h);
		fuzz_natports_begin(&book, 1000, &res);
	}
	if (h->process(&pkt, &ct, priv, &res) < 0)
		abort();
	if (nat)
		fuzz_natports_check(&book, &ct, &res);
	if (res.n_expect > CTHD_EXPECT_MAX || (res.n_mangle && !nat))
		abort();
	if (res.verdict == CTHD_DROP && (res.n_expect || res.n_mangle || !nat))
		abort();
	if (res.n_mangle) {
		static uint8_t out[0x10000 + CTHD_MANGLE_MAX * CTHD_MANGLE_DATA_MAX];
		long n = cthd_mangle_payload(data, size, res.mangle, res.n_mangle, out, sizeof(out));
		struct sip_msg before, after;

		if (n < 0 || sip_parse_msg(text, size, true, &before) != 1 ||
		    sip_parse_msg((const char *)out, (size_t)n, true, &after) != 1 ||
		    after.request != before.request || after.cseq != before.cseq ||
		    after.has_content_length != before.has_content_length ||
		    (size_t)n - after.length != size - before.length)
			abort();
	}
	for (unsigned int i = 0; i < res.n_expect; i++) {
		const struct cthd_expect *e = &res.expect[i];
		enum cthd_dir peer = pkt.dir == CTHD_DIR_ORIGINAL ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;

		if (e->tuple.dport < 1024 || e->l4proto != IPPROTO_UDP || e->class > SIP_CLASS_IMAGE)
			abort();
		/* signalling: a REGISTER's, permanent, for calls this helper reads */
		if ((e->class == SIP_CLASS_SIGNALLING) !=
		    (e->flags == 1 && !strcmp(e->helper, "sip")))
			abort();
		if (e->class != SIP_CLASS_SIGNALLING && (e->flags || e->helper[0]))
			abort();
		if (memcmp(&e->tuple.dst, &ct.tuple[pkt.dir].src, alen) &&
		    memcmp(&e->tuple.dst, &ct.tuple[peer].dst, alen))
			abort();
		if (memcmp(&e->tuple.src, &ct.tuple[peer].src, alen))
			abort();
	}
	return 0;
}
