// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Service Location Protocol helper (UDP 427, RFC 2608 and RFC 2165): a
 * request the firewall multicasts (239.255.255.253; IPv6 ff02:: or ff05::
 * with the SVRLOC group 116, SVRLOC-DA 123 or a service-specific group
 * 1:1000-1:13ff, RFC 3111) or broadcasts (RFC 2608 allows it without
 * multicast) is answered by unicast from the agents of the subnet, from
 * port 427, to the request's source port. The core's query mechanism
 * opens that, from the subnet, for 15 s (CONFIG_MC_MAX, the longest a
 * multicast request waits for answers).
 *
 * conntrackd 1.4.7's slp helper expects the answer from any address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "../helper.h"
#include "slp.h"

#define SLP_PORT		427
#define SLPV2_HEADER_LEN	14	/* without the language tag */
#define SLPV1_HEADER_LEN	12

int slp_is_request(const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t declared;

	if (len < 2)
		return -EINVAL;
	if (p[0] == 2) {
		if (len < SLPV2_HEADER_LEN)
			return -EINVAL;
		declared = (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
		if (declared != len ||
		    SLPV2_HEADER_LEN + ((size_t)p[12] << 8 | p[13]) > len)
			return -EINVAL;
	} else if (p[0] == 1) {
		if (len < SLPV1_HEADER_LEN)
			return -EINVAL;
		declared = (size_t)p[2] << 8 | p[3];
		if (declared != len)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return p[1] == SLP_SRVRQST || p[1] == SLP_ATTRRQST || p[1] == SLP_SRVTYPERQST;
}

static bool slp_group(int family, const union cthd_addr *a)
{
	static const uint8_t v4[4] = { 239, 255, 255, 253 };
	uint32_t group;

	if (family == AF_INET)
		return !memcmp(a->bytes, v4, 4);
	/* ff02::/16 or ff05::/16, then zeroes up to the 32-bit group id */
	if (a->bytes[0] != 0xff || (a->bytes[1] != 0x02 && a->bytes[1] != 0x05))
		return false;
	for (int i = 2; i < 12; i++)
		if (a->bytes[i])
			return false;
	group = (uint32_t)a->bytes[12] << 24 | (uint32_t)a->bytes[13] << 16 |
		(uint32_t)a->bytes[14] << 8 | a->bytes[15];
	return group == 0x116 || group == 0x123 || (group >= 0x11000 && group <= 0x113ff);
}

static int slp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	const union cthd_addr *dst = &ct->tuple[CTHD_DIR_ORIGINAL].dst;

	(void)priv;
	if (pkt->dir != CTHD_DIR_ORIGINAL)
		return 0;
	/* a broadcast is checked by the core: the outgoing interface's own */
	if (cthd_addr_is_multicast(ct->family, dst) && !slp_group(ct->family, dst))
		return 0;
	cthd_query_result(pkt, ct, slp_is_request(pkt->payload, pkt->payload_len),
			  CTHD_QUERY_MULTICAST | CTHD_QUERY_BROADCAST, SLP_PORT, res);
	return 0;
}

static const struct cthd_helper slp_helper = {
	.name = "slp",
	.l4proto = IPPROTO_UDP,
	.default_port = SLP_PORT,
	.n_policies = 1,
	.policies = { { .name = "slp", .max_expected = 1, .timeout = 15 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = slp_process,
};

CTHD_HELPER_REGISTER(slp_helper);
