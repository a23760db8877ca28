/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the unit tests of the helpers that answer broadcast and multicast
 * queries (netbios-ns, mdns, dhcpv6, slp, ssdp): the firewall's address
 * table built from rtnetlink messages as the kernel sends them, and one
 * packet of a query's conntrack through a helper.
 */
#ifndef CTHELPERD_TESTS_QUERY_HARNESS_H
#define CTHELPERD_TESTS_QUERY_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../helper.h"
#include "../ifaddr.h"

#define ETH0	2
#define ETH1	3

void qh_set_addr(union cthd_addr *a, const char *text);

/* An RTM_NEWADDR/RTM_DELADDR as the kernel builds it (brd may be NULL) into buf. */
struct nlmsghdr *qh_addr_msg(void *buf, uint16_t type, uint32_t ifindex, const char *local,
			     unsigned int prefixlen, const char *brd, uint32_t flags);

/* That message applied to t: cthd_ifaddrs_apply()'s result. */
int qh_apply(struct cthd_ifaddrs *t, uint16_t type, uint32_t ifindex, const char *local,
	     unsigned int prefixlen, const char *brd, uint32_t flags);

/*
 * The firewall of the tests: eth0 10.9.0.1/24 brd 10.9.0.255 (primary),
 * 10.9.0.9/24 and 172.16.0.1/16 (secondary), fe80::1/64, 2001:db8:9::1/64;
 * eth1 192.0.2.1/24 brd 192.0.2.255, 198.51.100.1/0, 203.0.113.1/25
 * without a broadcast address.
 */
void qh_firewall(struct cthd_ifaddrs *t);

/* One packet of a query's conntrack: src:sport -> dst:dport. */
struct query {
	const char *src, *dst;
	const char *nat_src;	/* the reply tuple's destination; NULL: no NAT */
	uint16_t sport, dport;
	uint32_t outdev;
	enum cthd_dir dir;
};

/* ct and pkt (no payload) for q, over l4proto, reading the table t. */
void qh_conntrack(const struct query *q, uint8_t l4proto, const struct cthd_ifaddrs *t,
		  struct cthd_conntrack *ct, struct cthd_packet *pkt);

/* The packet with payload data through the helper called name. */
int qh_send(const char *name, const struct cthd_ifaddrs *t, const struct query *q,
	    const void *data, size_t len, struct cthd_result *res);

/*
 * e is UDP from src/prefixlen, source port sport (0: any), to dst:dport,
 * NF_CT_EXPECT_PERMANENT, class 0, no NAT.
 */
bool qh_expect_is(const struct cthd_expect *e, const char *src, unsigned int prefixlen,
		  uint16_t sport, const char *dst, uint16_t dport);

/* A packet that must open nothing, and the parse errors it counts. */
struct qh_none_case {
	const char *name;
	struct query q;
	const uint8_t *data;
	size_t len;
	unsigned int parse_errors;
};

struct tap;

/* One TAP line per case: through helper name, no expectation, no edit. */
void qh_check_none(struct tap *t, const char *helper, const struct cthd_ifaddrs *tab,
		   const struct qh_none_case *cases, size_t n);

#endif
