// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: pptp_parse() and the PPTP helper over a conversation.
 * The input is cut into segments at each "\xff\xfe" pair; the first byte
 * says, bit by bit, which side sends each segment, and whether the master
 * is SNATed. The parser never reads past its input and agrees with itself
 * on a cut or a longer buffer; the helper edits nothing, never drops, keeps
 * its private data honest (priv_changed), and expects only GRE between
 * the connection's two ends, two flows a call.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/pptp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t longer[70000];

static void check_parse(const uint8_t *data, size_t size)
{
	struct pptp_msg m, m2;
	int rc = pptp_parse(data, size, &m);

	if (rc > (int)size || (rc > 0 && rc < PPTP_HEADER_LEN))
		abort();
	if (rc > 0) {
		if (pptp_parse(data, (size_t)rc - 1, &m2) != 0)
			abort();
		memcpy(longer, data, size);
		longer[size] = 0xaa;
		if (pptp_parse(longer, size + 1, &m2) != rc || memcmp(&m, &m2, sizeof(m)))
			abort();
	}
}

static bool is_endpoint_pair(const struct cthd_expect *e, const struct cthd_conntrack *ct)
{
	const struct cthd_tuple *o = &ct->tuple[CTHD_DIR_ORIGINAL], *r = &ct->tuple[CTHD_DIR_REPLY];

	return (!memcmp(&e->tuple.src, &r->src, sizeof(r->src)) &&
		!memcmp(&e->tuple.dst, &r->dst, sizeof(r->dst))) ||
	       (!memcmp(&e->tuple.src, &o->src, sizeof(o->src)) &&
		!memcmp(&e->tuple.dst, &o->dst, sizeof(o->dst)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("pptp");
	struct cthd_conntrack ct = { 0 };
	uint8_t priv[CTHD_PRIV_MAX] = { 0 }, before[CTHD_PRIV_MAX];
	unsigned int seg = 0;
	uint8_t flags;
	size_t start;

	if (!h || size < 1 || size > 60000)
		return 0;
	flags = data[0];
	data++;
	size--;
	check_parse(data, size);

	ct.family = AF_INET;
	ct.l4proto = IPPROTO_TCP;
	inet_pton(AF_INET, "10.0.1.1", &ct.tuple[0].src);
	inet_pton(AF_INET, "10.0.2.2", &ct.tuple[0].dst);
	inet_pton(AF_INET, "10.0.2.2", &ct.tuple[1].src);
	inet_pton(AF_INET, flags & 0x80 ? "203.0.113.1" : "10.0.1.1", &ct.tuple[1].dst);
	ct.tuple[0].sport = ct.tuple[1].dport = 40000;
	ct.tuple[0].dport = ct.tuple[1].sport = 1723;

	start = 0;
	for (size_t i = 0; i <= size; i++) {
		struct cthd_packet pkt = { 0 };
		struct cthd_result res = { 0 };

		if (i < size && !(i + 1 < size && data[i] == 0xff && data[i + 1] == 0xfe))
			continue;
		pkt.family = AF_INET;
		pkt.l4proto = IPPROTO_TCP;
		pkt.payload = data + start;
		pkt.payload_len = i - start;
		pkt.established = true;
		pkt.dir = (flags >> (seg % 7)) & 1 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
		memcpy(before, priv, sizeof(priv));
		if (h->process(&pkt, &ct, priv, &res) < 0)
			abort();
		if (res.priv_changed != (memcmp(before, priv, sizeof(priv)) != 0) ||
		    res.n_mangle || res.verdict != CTHD_ACCEPT || res.n_expect % 2)
			abort();
		for (unsigned int e = 0; e < res.n_expect; e++)
			if (res.expect[e].l4proto != IPPROTO_GRE || res.expect[e].class ||
			    res.expect[e].mask.sport || res.expect[e].mask.dport != 0xffff ||
			    !is_endpoint_pair(&res.expect[e], &ct) ||
			    res.expect[e].nat != !!(flags & 0x80))
				abort();
		seg++;
		start = i + 2;
		i++;
	}
	return 0;
}
