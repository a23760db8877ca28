/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shared body of the query helpers' fuzz targets (netbios-ns, mdns,
 * dhcpv6, slp, ssdp): the payload through the helper, from the firewall's
 * own address on eth0 (10.9.0.1/24 brd 10.9.0.255, fe80::1/64) to the
 * destination the first input byte picks (the protocol's group or
 * broadcast address, or a unicast one), in either direction. At most one
 * expectation, only when the parser said "query", the destination was a
 * group or broadcast address and the packet went out: always from the
 * firewall's subnet to the query's own address and port. Nothing is ever
 * edited or dropped.
 */
#ifndef CTHELPERD_TESTS_QUERY_FUZZ_H
#define CTHELPERD_TESTS_QUERY_FUZZ_H

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../ifaddr.h"

static struct cthd_ifaddrs fuzz_query_table;

static void fuzz_query_add(int family, const void *local, const void *brd, unsigned int plen)
{
	static char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = family == AF_INET ? 4 : 16;

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = 2;
	mnl_attr_put(nlh, IFA_ADDRESS, alen, local);
	if (brd)
		mnl_attr_put(nlh, IFA_BROADCAST, alen, brd);
	if (cthd_ifaddrs_apply(&fuzz_query_table, nlh) < 0)
		abort();
}

/*
 * data[0]: bit 0 IPv6, bit 1 reply direction, bits 2-3 destination (0 the
 * group or broadcast address v4dst/v6dst, else a unicast address); the
 * rest is the payload. is_query: the helper's parser on the payload.
 */
static void fuzz_query(const char *name, const char *v4dst, const char *v6dst, uint16_t dport,
		       uint16_t reply_sport, const uint8_t *data, size_t size, int is_query)
{
	static const uint8_t local4[4] = { 10, 9, 0, 1 }, brd4[4] = { 10, 9, 0, 255 };
	static const uint8_t local6[16] = { 0xfe, 0x80, [15] = 1 };
	const struct cthd_helper *h = cthd_helper_find(name);
	struct cthd_conntrack ct = { 0 };
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	bool v6, group;
	int fam;

	if (!h || size < 1)
		return;
	if (!fuzz_query_table.n) {
		fuzz_query_add(AF_INET, local4, brd4, 24);
		fuzz_query_add(AF_INET6, local6, NULL, 64);
	}
	v6 = data[0] & 1;
	pkt.dir = data[0] & 2 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	group = !(data[0] & 12);
	fam = v6 ? AF_INET6 : AF_INET;
	ct.family = pkt.family = fam;
	ct.l4proto = pkt.l4proto = IPPROTO_UDP;
	memcpy(&ct.tuple[0].src, v6 ? local6 : local4, v6 ? 16 : 4);
	inet_pton(fam, group ? (v6 ? v6dst : v4dst) : (v6 ? "fe80::2" : "10.9.0.2"), &ct.tuple[0].dst);
	ct.tuple[1].src = ct.tuple[0].dst;
	ct.tuple[1].dst = ct.tuple[0].src;
	ct.tuple[0].sport = ct.tuple[1].dport = 50000;
	ct.tuple[0].dport = ct.tuple[1].sport = dport;
	pkt.outdev = 2;
	pkt.ifaddrs = &fuzz_query_table;
	pkt.payload = data + 1;
	pkt.payload_len = size - 1;
	if (h->process(&pkt, &ct, NULL, &res) < 0)
		abort();
	if (res.n_mangle || res.verdict != CTHD_ACCEPT || res.priv_changed || res.n_expect > 1)
		abort();
	if (res.n_expect && (is_query != 1 || !group || pkt.dir != CTHD_DIR_ORIGINAL))
		abort();
	if (res.n_expect) {
		const struct cthd_expect *e = &res.expect[0];

		if (memcmp(&e->tuple.dst, &ct.tuple[0].src, sizeof(e->tuple.dst)) ||
		    e->tuple.dport != 50000 || e->tuple.sport != reply_sport ||
		    e->mask.src.bytes[v6 ? 8 : 3] != 0 || e->mask.src.bytes[0] != 0xff)
			abort();
	}
}

#endif
