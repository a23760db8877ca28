// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Multicast DNS helper (UDP 5353, RFC 6762): a query the firewall sends to
 * the mDNS group (224.0.0.251, ff02::fb) is answered by unicast from
 * responders of the link, from port 5353 to the query's source port: the
 * answers to a one-shot (legacy) query from another port (section 6.7),
 * and to questions asking for unicast answers (QU, section 5.4). The
 * core's query mechanism opens that, from the subnet of the query's
 * source address only, for 3 s. Multicast answers (to the group) are no
 * replies of any query and are left to the firewall's rules.
 *
 * conntrackd 1.4.7's mdns helper expects the answer from any address and
 * any port; here the subnet and port 5353. A query to a unicast address
 * opens nothing: its answer is the conntrack's reply.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "../helper.h"
#include "mdns.h"

#define MDNS_PORT	5353
#define DNS_HEADER_LEN	12

int mdns_is_query(const void *data, size_t len)
{
	const uint8_t *p = data;

	if (len <= DNS_HEADER_LEN)
		return -EINVAL;
	if (p[2] & 0x80)			/* QR: a response */
		return 0;
	if ((p[2] >> 3) & 0xf)			/* opcode other than QUERY */
		return 0;
	return (p[4] | p[5]) != 0;		/* QDCOUNT */
}

/* 224.0.0.251 or ff02::fb */
static bool mdns_group(int family, const union cthd_addr *a)
{
	static const uint8_t v4[4] = { 224, 0, 0, 251 };
	static const uint8_t v6[16] = { 0xff, 0x02, [15] = 0xfb };

	return family == AF_INET ? !memcmp(a->bytes, v4, 4) : !memcmp(a->bytes, v6, 16);
}

static int mdns_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	(void)priv;
	if (pkt->dir != CTHD_DIR_ORIGINAL ||
	    !mdns_group(ct->family, &ct->tuple[CTHD_DIR_ORIGINAL].dst))
		return 0;
	cthd_query_result(pkt, ct, mdns_is_query(pkt->payload, pkt->payload_len),
			  CTHD_QUERY_MULTICAST, MDNS_PORT, res);
	return 0;
}

static const struct cthd_helper mdns_helper = {
	.name = "mdns",
	.l4proto = IPPROTO_UDP,
	.default_port = MDNS_PORT,
	.n_policies = 1,
	.policies = { { .name = "mdns", .max_expected = 1, .timeout = 3 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = mdns_process,
};

CTHD_HELPER_REGISTER(mdns_helper);
