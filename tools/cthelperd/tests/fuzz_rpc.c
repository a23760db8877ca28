// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the portmapper parsers, and the rpc (UDP) helper on a
 * call and then an answer, both from the input (its first byte: IPv4 or
 * IPv6, SNAT, DNAT; its second: the call's length), against what the
 * parsers say: at most one expectation, only for an answer the parser
 * takes to a call it took, always from the client to the server as the
 * client reaches it; edits only under NAT, and the edited answer must
 * still parse, naming the expectation's port and, for a universal
 * address, the server as the client reaches it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/rpc.h"
#include "../mangle.h"
#include "fuzz_conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("rpc");
	struct rpc_priv priv = { 0 };
	struct cthd_conntrack ct;
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	struct rpc_call call, edited_call;
	struct rpc_answer a, b;
	uint8_t out[1024];
	size_t n_call;
	bool snat, dnat, v6;
	int rc_call, rc_reply;
	long n;

	if (!h || size < 2)
		return 0;
	v6 = data[0] & 1;
	snat = data[0] & 2;
	dnat = data[0] & 4;
	n_call = data[1];
	data += 2;
	size -= 2;
	if (n_call > size)
		return 0;
	fuzz_conntrack(&ct, IPPROTO_UDP, v6, snat, dnat, 40000, 111);

	rc_call = rpc_parse_call(data, n_call, &call);
	if (rc_call == 1 && call.query == RPC_QUERY_NONE)
		abort();
	rc_reply = rc_call == 1 ? rpc_parse_reply(data + n_call, size - n_call, &call, &a) : -1;

	pkt.family = ct.family;
	pkt.l4proto = IPPROTO_UDP;
	pkt.established = true;
	pkt.payload = data;
	pkt.payload_len = n_call;
	if (h->process(&pkt, &ct, &priv, &res) < 0 || res.n_expect || res.n_mangle ||
	    (rc_call == 1) != (priv.call.query != RPC_QUERY_NONE))
		abort();
	memset(&res, 0, sizeof(res));
	pkt.dir = CTHD_DIR_REPLY;
	pkt.payload = data + n_call;
	pkt.payload_len = size - n_call;
	/* an answer ends the query; anything else leaves it waiting */
	if (h->process(&pkt, &ct, &priv, &res) < 0 || res.verdict != CTHD_ACCEPT ||
	    (priv.call.query == RPC_QUERY_NONE) != (rc_call != 1 || rc_reply >= 0))
		abort();
	if (res.n_expect > 1 || (res.n_expect && rc_reply != 1))
		abort();
	if (res.n_mangle && !(snat || dnat))
		abort();
	if (!res.n_expect) {
		if (res.n_mangle)
			abort();
		return 0;
	}
	if (memcmp(&res.expect[0].tuple.src, &ct.tuple[0].src, sizeof(ct.tuple[0].src)) ||
	    memcmp(&res.expect[0].tuple.dst, &ct.tuple[0].dst, sizeof(ct.tuple[0].dst)) ||
	    res.expect[0].l4proto != call.l4proto || res.expect[0].nat != (snat || dnat) ||
	    call.family != ct.family)
		abort();
	n = cthd_mangle_payload(pkt.payload, pkt.payload_len, res.mangle, res.n_mangle, out,
				sizeof(out));
	if (n < 0)
		abort();
	edited_call = call;
	if (rpc_parse_reply(out, (size_t)n, &edited_call, &b) != 1 ||
	    b.port != res.expect[0].tuple.dport ||
	    (b.has_addr && !dnat && memcmp(&b.addr, &a.addr, sizeof(b.addr))) ||
	    (b.has_addr && dnat && memcmp(&b.addr, &ct.tuple[0].dst, sizeof(b.addr))))
		abort();
	return 0;
}
