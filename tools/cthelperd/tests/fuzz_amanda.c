// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: amanda_parse() and the Amanda helper on one packet,
 * both directions, with and without NAT, IPv4 and IPv6 (first input byte).
 * Every port found sits where the parser says; only a REP from amandad
 * expects, at most three, each towards amandad's host; edits only under
 * NAT, and the edited packet parses to the ports expected.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/amanda.h"
#include "../mangle.h"
#include "fuzz_conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("amanda");
	struct cthd_conntrack ct;
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	struct amanda_connect a, b;
	unsigned int named = 0;
	uint8_t out[2048];
	bool nat, v6;
	long n;
	int fam, rc;

	if (!h || size < 1 || size > 1024)
		return 0;
	nat = data[0] & 1;
	v6 = data[0] & 2;
	pkt.dir = data[0] & 4 ? CTHD_DIR_ORIGINAL : CTHD_DIR_REPLY;
	data++;
	size--;
	fam = v6 ? AF_INET6 : AF_INET;
	fuzz_conntrack(&ct, IPPROTO_UDP, v6, false, nat, 850, 10080);

	rc = amanda_parse((const char *)data, size, &a);
	for (int i = 0; i < AMANDA_STREAMS; i++) {
		const struct amanda_port *p = &a.ports[i];
		size_t pos = p->off;

		if (!p->port)
			continue;
		named++;
		if (rc != 1 || p->off + p->len > size ||
		    cthd_parse_decimal((const char *)data, p->off + p->len, &pos, 5, 65535) !=
			    p->port || pos != p->off + p->len)
			abort();
	}

	pkt.family = fam;
	pkt.l4proto = IPPROTO_UDP;
	pkt.payload = data;
	pkt.payload_len = size;
	if (h->process(&pkt, &ct, NULL, &res) < 0)
		abort();
	if (res.verdict != CTHD_ACCEPT || res.priv_changed || (!nat && res.n_mangle))
		abort();
	if (res.n_expect != (pkt.dir == CTHD_DIR_REPLY ? named : 0))
		abort();
	for (unsigned int i = 0; i < res.n_expect; i++)
		if (memcmp(&res.expect[i].tuple.dst, &ct.tuple[0].dst, sizeof(ct.tuple[0].dst)) ||
		    res.expect[i].l4proto != IPPROTO_TCP || res.expect[i].nat != nat)
			abort();
	n = cthd_mangle_payload(data, size, res.mangle, res.n_mangle, out, sizeof(out));
	if (n < 0)
		abort();
	/* the edited packet names, in packet order, the ports expected */
	if (res.n_expect) {
		size_t last = 0;
		unsigned int e = 0;

		if (amanda_parse((const char *)out, (size_t)n, &b) != 1)
			abort();
		while (e < res.n_expect) {
			const struct amanda_port *next = NULL;

			for (int i = 0; i < AMANDA_STREAMS; i++)
				if (b.ports[i].port && b.ports[i].off >= last &&
				    (!next || b.ports[i].off < next->off))
					next = &b.ports[i];
			if (!next || next->port != res.expect[e].tuple.dport)
				abort();
			last = next->off + 1;
			e++;
		}
	}
	return 0;
}
