// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the SANE message parsers, and the helper on a start
 * request followed by the input as the server's answer, IPv4 or IPv6, with
 * or without NAT (first input byte). Only a start reply the parser accepts
 * expects, exactly the client towards the server at the announced port;
 * nothing is ever edited or dropped.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/sane.h"
#include "fuzz_conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t request[SANE_START_REQUEST_LEN] = { 0, 0, 0, SANE_NET_START };
	const struct cthd_helper *h = cthd_helper_find("sane");
	struct sane_priv priv = { 0 };
	struct cthd_conntrack ct;
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	uint16_t port = 0;
	bool nat, v6;
	int fam, rc;

	if (!h || size < 1)
		return 0;
	nat = data[0] & 1;
	v6 = data[0] & 2;
	data++;
	size--;
	fam = v6 ? AF_INET6 : AF_INET;
	fuzz_conntrack(&ct, IPPROTO_TCP, v6, false, nat, 40000, 6566);

	rc = sane_parse_start_reply(data, size, &port);
	if (rc == 1 && (port == 0 || size < 16))
		abort();
	if (sane_parse_start_request(data, size) && size != SANE_START_REQUEST_LEN)
		abort();

	pkt.family = fam;
	pkt.l4proto = IPPROTO_TCP;
	pkt.established = true;
	pkt.payload = request;
	pkt.payload_len = sizeof(request);
	pkt.tcp_seq = 1000;
	if (h->process(&pkt, &ct, &priv, &res) < 0 || res.n_expect || !priv.start_requested)
		abort();
	memset(&res, 0, sizeof(res));
	pkt.dir = CTHD_DIR_REPLY;
	pkt.payload = data;
	pkt.payload_len = size;
	pkt.tcp_seq = 5000;
	if (h->process(&pkt, &ct, &priv, &res) < 0)
		abort();
	if (res.n_mangle || res.verdict != CTHD_ACCEPT || (size && priv.start_requested))
		abort();
	if (res.n_expect != (size && rc == 1))
		abort();
	if (res.n_expect &&
	    (memcmp(&res.expect[0].tuple.src, &ct.tuple[0].src, sizeof(ct.tuple[0].src)) ||
	     memcmp(&res.expect[0].tuple.dst, &ct.tuple[0].dst, sizeof(ct.tuple[0].dst)) ||
	     res.expect[0].tuple.dport != port || res.expect[0].nat != nat ||
	     res.expect[0].l4proto != IPPROTO_TCP))
		abort();
	return 0;
}
