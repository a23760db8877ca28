// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Expectations for the answers to broadcast and multicast queries: see
 * cthd_expect_query_replies() in helper.h. The one place that decides how
 * wide such a hole is, for every helper that needs one.
 */
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <string.h>

#include "helper.h"
#include "ifaddr.h"

bool cthd_addr_is_multicast(int family, const union cthd_addr *a)
{
	if (family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return family == AF_INET6 && a->bytes[0] == 0xff;
}

static void prefix_mask(union cthd_addr *mask, unsigned int prefixlen)
{
	memset(mask, 0, sizeof(*mask));
	memset(mask->bytes, 0xff, prefixlen / 8);
	if (prefixlen % 8)
		mask->bytes[prefixlen / 8] = (uint8_t)(0xff00 >> (prefixlen % 8));
}

/*
 * outdev's primary IPv4 address whose broadcast address dst is: the one
 * configured (the kernel's rule), or without one (`ip addr add` without
 * `brd`) the subnet's last address, which the kernel routes as broadcast
 * all the same (fib_add_ifaddr()).
 */
static const struct cthd_ifaddr *broadcast_owner(const struct cthd_ifaddrs *t,
						 uint32_t ifindex, const union cthd_addr *dst)
{
	for (unsigned int i = 0; i < t->n; i++) {
		const struct cthd_ifaddr *a = &t->addr[i];
		union cthd_addr mask;

		if (a->ifindex != ifindex || a->family != AF_INET || a->secondary)
			continue;
		if (a->has_broadcast) {
			if (a->broadcast.ip == dst->ip)
				return a;
			continue;
		}
		prefix_mask(&mask, a->prefixlen);
		if (a->prefixlen > 0 && a->prefixlen < 31 &&
		    dst->ip == ((a->local.ip & mask.ip) | ~mask.ip))
			return a;
	}
	return NULL;
}

static int refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return 0;
}

int cthd_expect_query_replies(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			      unsigned int kinds, uint16_t reply_sport, struct cthd_result *res,
			      const char **why)
{
	const struct cthd_tuple *query = &ct->tuple[CTHD_DIR_ORIGINAL];
	const struct cthd_ifaddr *src, *subnet;
	size_t alen = ct->family == AF_INET ? 4 : 16;
	struct cthd_expect exp;

	if (pkt->dir != CTHD_DIR_ORIGINAL)
		return refuse(why, "not a query: reply direction");
	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return refuse(why, "not UDP over IPv4 or IPv6");
	if (!pkt->outdev || !pkt->ifaddrs)
		return refuse(why, "not leaving the firewall by an interface");
	if (cthd_conntrack_is_natted(ct))
		return refuse(why, "NATed query");
	/* the answers go to the query's source: it must be the firewall's own */
	src = cthd_ifaddrs_find(pkt->ifaddrs, pkt->outdev, ct->family, &query->src);
	if (!src)
		return refuse(why, "source is no address of the outgoing interface");
	if (cthd_addr_is_multicast(ct->family, &query->dst)) {
		if (!(kinds & CTHD_QUERY_MULTICAST))
			return refuse(why, "multicast, not a query of this protocol");
		subnet = src;
	} else if (ct->family == AF_INET && (kinds & CTHD_QUERY_BROADCAST)) {
		subnet = broadcast_owner(pkt->ifaddrs, pkt->outdev, &query->dst);
		if (!subnet)
			return refuse(why, "unicast, or another interface's broadcast address");
	} else {
		return refuse(why, "unicast: the answer is the conntrack's reply");
	}
	/* the kernel takes a zero netmask as none too: it would open everything */
	if (subnet->prefixlen == 0)
		return refuse(why, "prefix length 0");

	memset(&exp, 0, sizeof(exp));
	exp.l4proto = IPPROTO_UDP;
	prefix_mask(&exp.mask.src, subnet->prefixlen);
	for (size_t i = 0; i < alen; i++)
		exp.tuple.src.bytes[i] = subnet->local.bytes[i] & exp.mask.src.bytes[i];
	exp.tuple.sport = reply_sport;
	exp.mask.sport = reply_sport ? 0xffff : 0;
	exp.tuple.dst = query->src;
	memset(&exp.mask.dst, 0xff, alen);
	exp.tuple.dport = query->sport;
	exp.mask.dport = 0xffff;
	exp.flags = NF_CT_EXPECT_PERMANENT;
	if (cthd_result_add_expect(res, &exp) < 0)
		return -ENOSPC;
	if (why)
		*why = NULL;
	return 1;
}

void cthd_query_result(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       int parsed, unsigned int kinds, uint16_t reply_sport,
		       struct cthd_result *res)
{
	if (parsed < 0)
		res->parse_errors++;
	if (parsed <= 0)
		return;
	if (cthd_expect_query_replies(pkt, ct, kinds, reply_sport, res, NULL) < 0)
		res->lost++;
}
