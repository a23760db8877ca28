// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NetBIOS name service helper (UDP 137), the kernel's
 * nf_conntrack_netbios_ns in user space: a name query broadcast by the
 * firewall itself (nmblookup, smbclient, nmbd) is answered by hosts of the
 * subnet from port 137, to the query's source port; conntrack cannot see
 * those answers as replies to a broadcast. The core's query mechanism
 * (cthd_expect_query_replies) opens exactly that for the class's timeout,
 * 3 s as the kernel's default.
 *
 * Tighter than the kernel: only requests hosts answer count (the kernel
 * opens for any broadcast to port 137), and the query must leave from an
 * address the firewall owns on the interface it is broadcast on. IPv4
 * only: NetBIOS over TCP/IP has no IPv6 name service.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>

#include "../helper.h"
#include "netbios_ns.h"

#define NBNS_HEADER_LEN	12
#define NBNS_PORT	137

int nbns_is_request(const void *data, size_t len)
{
	const uint8_t *p = data;
	unsigned int opcode, qdcount;

	if (len <= NBNS_HEADER_LEN)
		return -EINVAL;
	if (p[2] & 0x80)	/* R: a response */
		return 0;
	opcode = (p[2] >> 3) & 0xf;
	qdcount = (unsigned int)p[4] << 8 | p[5];
	if (qdcount == 0)
		return 0;
	return opcode == NBNS_OP_QUERY || opcode == NBNS_OP_REGISTRATION ||
	       opcode == NBNS_OP_REFRESH || opcode == NBNS_OP_REFRESH_ALT;
}

static int netbios_ns_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			      void *priv, struct cthd_result *res)
{
	(void)priv;
	if (ct->family != AF_INET || pkt->dir != CTHD_DIR_ORIGINAL)
		return 0;
	cthd_query_result(pkt, ct, nbns_is_request(pkt->payload, pkt->payload_len),
			  CTHD_QUERY_BROADCAST, NBNS_PORT, res);
	return 0;
}

/* nf_conntrack_netbios_ns: one expectation, timeout 3 s */
static const struct cthd_helper netbios_ns_helper = {
	.name = "netbios-ns",
	.l4proto = IPPROTO_UDP,
	.default_port = NBNS_PORT,
	.n_policies = 1,
	.policies = { { .name = "netbios-ns", .max_expected = 1, .timeout = 3 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = netbios_ns_process,
};

CTHD_HELPER_REGISTER(netbios_ns_helper);
