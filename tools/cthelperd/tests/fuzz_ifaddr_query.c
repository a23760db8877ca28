// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: rtnetlink messages into the address table, then
 * queries through cthd_expect_query_replies(). Input: records of a 2-byte
 * length and that many bytes, each one netlink message (its nlmsg_len is
 * forced to the record's length, as the socket layer guarantees); the last
 * 40 bytes choose a query. Whatever the table holds, an expectation goes
 * only to the query's own source and port, from a non-empty prefix of an
 * address the table holds on the outgoing interface, source bits outside
 * the mask zero.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../ifaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cthd_ifaddrs tab;

static void check_mask(const union cthd_addr *m, size_t alen)
{
	bool ended = false, any = false;

	for (size_t i = 0; i < alen * 8; i++) {
		bool bit = m->bytes[i / 8] & (0x80 >> (i % 8));

		if (bit && ended)
			abort();	/* not a prefix */
		ended |= !bit;
		any |= bit;
	}
	for (size_t i = alen; i < 16; i++)
		if (m->bytes[i])
			abort();
	if (!any)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[4096] __attribute__((aligned(4)));
	struct cthd_conntrack ct = { 0 };
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	const uint8_t *q;
	size_t alen;
	int rc;

	memset(&tab, 0, sizeof(tab));
	if (size < 40)
		return 0;
	q = data + size - 40;
	size -= 40;
	while (size >= 2) {
		size_t len = (size_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (len > size || len > sizeof(msg) || len < sizeof(struct nlmsghdr))
			break;
		memcpy(msg, data, len);
		((struct nlmsghdr *)msg)->nlmsg_len = (uint32_t)len;
		rc = cthd_ifaddrs_apply(&tab, (struct nlmsghdr *)msg);
		if ((rc != 0 && rc != 1 && rc != -EINVAL && rc != -ENOSPC) || tab.n > CTHD_IFADDR_MAX)
			abort();
		data += len;
		size -= len;
	}
	for (unsigned int i = 0; i < tab.n; i++)
		if (!tab.addr[i].ifindex || tab.addr[i].prefixlen > (tab.addr[i].family == AF_INET ? 32 : 128))
			abort();

	/* the query: flags, outdev, ports, source and destination */
	ct.family = pkt.family = q[0] & 1 ? AF_INET6 : AF_INET;
	alen = ct.family == AF_INET ? 4 : 16;
	ct.l4proto = pkt.l4proto = IPPROTO_UDP;
	pkt.dir = q[0] & 2 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	pkt.outdev = q[1] & 7;
	pkt.ifaddrs = &tab;
	ct.tuple[0].sport = ct.tuple[1].dport = (uint16_t)(q[2] << 8 | q[3]);
	ct.tuple[0].dport = ct.tuple[1].sport = (uint16_t)(q[4] << 8 | q[5]);
	memcpy(&ct.tuple[0].src, q + 6, alen);
	memcpy(&ct.tuple[0].dst, q + 22, alen);
	ct.tuple[1].src = ct.tuple[0].dst;
	ct.tuple[1].dst = ct.tuple[0].src;
	if (q[0] & 4)
		ct.tuple[1].dst.bytes[alen - 1] ^= 1;	/* SNAT */
	rc = cthd_expect_query_replies(&pkt, &ct, q[1] >> 6, (uint16_t)(q[38] << 8 | q[39]),
				       &res, NULL);
	if (rc < 0 || rc > 1 || res.n_expect != (unsigned int)rc)
		abort();
	if (rc == 1) {
		const struct cthd_expect *e = &res.expect[0];
		const struct cthd_ifaddr *own =
			cthd_ifaddrs_find(&tab, pkt.outdev, ct.family, &ct.tuple[0].src);

		if (!own || pkt.dir != CTHD_DIR_ORIGINAL || !pkt.outdev || (q[0] & 4))
			abort();
		if (memcmp(&e->tuple.dst, &ct.tuple[0].src, sizeof(e->tuple.dst)) ||
		    e->tuple.dport != ct.tuple[0].sport || e->mask.dport != 0xffff)
			abort();
		check_mask(&e->mask.src, alen);
		for (size_t i = 0; i < 16; i++)
			if (e->tuple.src.bytes[i] & ~e->mask.src.bytes[i])
				abort();
		if (!cthd_addr_is_multicast(ct.family, &ct.tuple[0].dst) && ct.family != AF_INET)
			abort();
	}
	return 0;
}
