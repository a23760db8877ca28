// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DHCPv6 helper (UDP 547, RFC 8415): a client on the firewall sends to
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) from its link-local
 * address, port 546; servers and relay agents of the link answer from
 * their own link-local address, port 547, to the client's address and
 * port 546: no reply of the query's conntrack. The core's query mechanism
 * opens exactly that: from the prefix of the client's source address on
 * the interface the query leaves by (fe80::/64), source port 547, to the
 * client's address and port, for 30 s. IPv6 only.
 *
 * conntrackd 1.4.7's dhcpv6 helper expects the answer from any address;
 * here the link's prefix. Messages that are not a client's (ADVERTISE,
 * REPLY, relay messages) and messages to a unicast address open nothing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

#include "../helper.h"
#include "dhcpv6.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

int dhcpv6_is_client_message(const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t pos = 4;		/* msg-type, transaction-id */

	if (len < 4)
		return -EINVAL;
	switch (p[0]) {
	case DHCPV6_SOLICIT:
	case DHCPV6_REQUEST:
	case DHCPV6_CONFIRM:
	case DHCPV6_RENEW:
	case DHCPV6_REBIND:
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
	case DHCPV6_INFORMATION_REQUEST:
		break;
	default:
		return 0;
	}
	while (pos < len) {
		size_t olen;

		if (len - pos < 4)
			return -EINVAL;
		olen = (size_t)p[pos + 2] << 8 | p[pos + 3];
		if (olen > len - pos - 4)
			return -EINVAL;
		pos += 4 + olen;
	}
	return 1;
}

/* All_DHCP_Relay_Agents_and_Servers, ff02::1:2: what clients send to */
static bool dhcpv6_group(const union cthd_addr *a)
{
	static const uint8_t group[16] = { 0xff, 0x02, [13] = 0x01, [15] = 0x02 };

	return !memcmp(a->bytes, group, sizeof(group));
}

static int dhcpv6_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			  void *priv, struct cthd_result *res)
{
	(void)priv;
	if (ct->family != AF_INET6 || pkt->dir != CTHD_DIR_ORIGINAL ||
	    !dhcpv6_group(&ct->tuple[CTHD_DIR_ORIGINAL].dst))
		return 0;
	cthd_query_result(pkt, ct, dhcpv6_is_client_message(pkt->payload, pkt->payload_len),
			  CTHD_QUERY_MULTICAST, DHCPV6_SERVER_PORT, res);
	return 0;
}

static const struct cthd_helper dhcpv6_helper = {
	.name = "dhcpv6",
	.l4proto = IPPROTO_UDP,
	.default_port = DHCPV6_SERVER_PORT,
	.n_policies = 1,
	.policies = { { .name = "dhcpv6", .max_expected = 1, .timeout = 30 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = dhcpv6_process,
};

CTHD_HELPER_REGISTER(dhcpv6_helper);
