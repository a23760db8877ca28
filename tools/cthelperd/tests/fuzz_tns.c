// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the TNS parsers and the tns helper over a conversation.
 * The first byte chooses the conntrack (bit 0 SNAT, bit 1 DNAT, bit 2
 * IPv6) and the options (bit 3 third_party, bit 4 host_names); the second,
 * bit by bit, which side sends each segment; the rest is cut into segments
 * at each "\xff\xfe". Oracles: the parsers stay inside their input; the
 * helper keeps its private data honest (priv_changed), drops nothing it
 * edits or expects from, edits only under NAT and only in ways that apply,
 * and expects only TCP from the client, to an unprivileged port of the
 * listener as the client reaches it (of any usable address with
 * third_party=1, never under DNAT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/tns.h"
#include "../mangle.h"
#include "fuzz_conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[70000];

static void check_parsers(const uint8_t *data, size_t size)
{
	struct tns_address a;
	bool wide;
	long n = tns_packet_len(data, size, &wide);
	int rc;

	if (n > 0 && (n < TNS_HEADER_LEN || (unsigned long)n > TNS_PACKET_MAX))
		abort();
	if (n == 0 && size >= TNS_HEADER_LEN)
		abort();
	rc = tns_parse_address((const char *)data, size, &a);
	if (rc == 0 && (a.port == 0 || a.host_off + a.host_len > size ||
			a.port_off + a.port_len > size || !a.host_len || !a.port_len))
		abort();
	if (rc != 0 && rc != -EINVAL && rc != -EPROTONOSUPPORT)
		abort();
}

static bool addr_is(const union cthd_addr *a, const union cthd_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("tns");
	uint8_t priv[CTHD_PRIV_MAX] = { 0 }, before[CTHD_PRIV_MAX];
	struct cthd_conntrack ct;
	uint32_t options[2], seq[2] = { 1000, 0xfffff000 };
	unsigned int seg = 0;
	uint8_t flags, dirs;
	bool natted, v6;
	const uint8_t *next, *end;

	if (!h || size < 2 || size > 60000)
		return 0;
	flags = data[0];
	dirs = data[1];
	data += 2;
	size -= 2;
	check_parsers(data, size);

	v6 = flags & 4;
	fuzz_conntrack(&ct, IPPROTO_TCP, v6, flags & 1, flags & 2, 40000, 1521);
	natted = flags & 3;
	options[0] = !!(flags & 8);
	options[1] = !!(flags & 16);

	/* the segments: data cut at each "\xff\xfe" */
	end = data + size;
	for (const uint8_t *p = data; p; p = next) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\xff\xfe", 2);
		struct cthd_packet pkt = { 0 };
		struct cthd_result res = { 0 };

		next = sep ? sep + 2 : NULL;
		pkt.family = ct.family;
		pkt.l4proto = IPPROTO_TCP;
		pkt.payload = p;
		pkt.payload_len = (size_t)((sep ? sep : end) - p);
		pkt.established = true;
		pkt.options = options;
		pkt.dir = (dirs >> (seg % 8)) & 1 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
		pkt.tcp_seq = seq[pkt.dir];
		memcpy(before, priv, sizeof(priv));
		if (h->process(&pkt, &ct, priv, &res) < 0)
			abort();
		if (res.priv_changed != (memcmp(before, priv, sizeof(priv)) != 0))
			abort();
		if (res.verdict == CTHD_DROP && (res.n_expect || res.n_mangle))
			abort();
		if (res.n_mangle && (!natted || pkt.dir != CTHD_DIR_REPLY ||
				     cthd_mangle_payload(pkt.payload, pkt.payload_len, res.mangle,
							 res.n_mangle, out, sizeof(out)) < 0))
			abort();
		for (unsigned int e = 0; e < res.n_expect; e++) {
			const struct cthd_expect *x = &res.expect[e];

			if (pkt.dir != CTHD_DIR_REPLY || x->l4proto != IPPROTO_TCP || x->class ||
			    x->mask.sport || x->mask.dport != 0xffff || x->tuple.dport < 1024 ||
			    !addr_is(&x->tuple.src, &ct.tuple[0].src) || x->nat != natted)
				abort();
			if (!addr_is(&x->tuple.dst, &ct.tuple[0].dst) &&
			    (!options[0] || (flags & 2) ||
			     cthd_addr_is_multicast(ct.family, &x->tuple.dst)))
				abort();
		}
		/* a dropped segment is resent; the others move the stream on */
		if (res.verdict != CTHD_DROP)
			seq[pkt.dir] += (uint32_t)pkt.payload_len;
		seg++;
	}
	return 0;
}
