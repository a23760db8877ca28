// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: tftp_parse() and the TFTP helper on one packet, both
 * directions, with and without NAT, IPv4 and IPv6 (first input byte). A
 * request expects exactly the server towards the client's port; nothing
 * else expects, nothing is ever edited, and the parser agrees with itself
 * on a copy with trailing NUL padding.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/tftp.h"
#include "fuzz_conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("tftp");
	struct cthd_conntrack ct;
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	uint8_t padded[1024];
	uint16_t op, op2;
	bool nat, v6;
	int fam, rc;

	if (!h || size < 1)
		return 0;
	nat = data[0] & 1;
	v6 = data[0] & 2;
	pkt.dir = data[0] & 4 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	data++;
	size--;
	fam = v6 ? AF_INET6 : AF_INET;
	fuzz_conntrack(&ct, IPPROTO_UDP, v6, nat, false, 40000, 69);

	rc = tftp_parse(data, size, &op);
	if (size < sizeof(padded) - 3) {
		memcpy(padded, data, size);
		memset(padded + size, 0, 3);
		/* NUL padding after a request leaves it a request */
		if (rc == 1 && (tftp_parse(padded, size + 3, &op2) != 1 || op2 != op))
			abort();
	}
	pkt.family = fam;
	pkt.l4proto = IPPROTO_UDP;
	pkt.payload = data;
	pkt.payload_len = size;
	if (h->process(&pkt, &ct, NULL, &res) < 0)
		abort();
	if (res.n_mangle || res.verdict != CTHD_ACCEPT || res.priv_changed)
		abort();
	if (res.n_expect != (rc == 1 && pkt.dir == CTHD_DIR_ORIGINAL))
		abort();
	if (res.n_expect &&
	    (memcmp(&res.expect[0].tuple.src, &ct.tuple[1].src, sizeof(ct.tuple[1].src)) ||
	     memcmp(&res.expect[0].tuple.dst, &ct.tuple[1].dst, sizeof(ct.tuple[1].dst)) ||
	     res.expect[0].tuple.dport != ct.tuple[1].dport || res.expect[0].nat != nat ||
	     res.expect[0].l4proto != IPPROTO_UDP))
		abort();
	return 0;
}
