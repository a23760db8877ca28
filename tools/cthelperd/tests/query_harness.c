// SPDX-License-Identifier: GPL-2.0-or-later
/* Queries through the query helpers: see query_harness.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>

#include "query_harness.h"
#include "tap.h"

void qh_set_addr(union cthd_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, a);
}

struct nlmsghdr *qh_addr_msg(void *buf, uint16_t type, uint32_t ifindex, const char *local,
			     unsigned int prefixlen, const char *brd, uint32_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	union cthd_addr a;
	bool v6 = strchr(local, ':');
	size_t alen = v6 ? 16 : 4;

	nlh->nlmsg_type = type;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = v6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = (uint8_t)prefixlen;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = ifindex;
	qh_set_addr(&a, local);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, &a);
	if (!v6)
		mnl_attr_put(nlh, IFA_LOCAL, alen, &a);
	if (brd) {
		qh_set_addr(&a, brd);
		mnl_attr_put(nlh, IFA_BROADCAST, alen, &a);
	}
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return nlh;
}

int qh_apply(struct cthd_ifaddrs *t, uint16_t type, uint32_t ifindex, const char *local,
	     unsigned int prefixlen, const char *brd, uint32_t flags)
{
	char buf[512] __attribute__((aligned(4)));

	return cthd_ifaddrs_apply(t, qh_addr_msg(buf, type, ifindex, local, prefixlen, brd, flags));
}

void qh_firewall(struct cthd_ifaddrs *t)
{
	memset(t, 0, sizeof(*t));
	qh_apply(t, RTM_NEWADDR, ETH0, "10.9.0.1", 24, "10.9.0.255", IFA_F_PERMANENT);
	qh_apply(t, RTM_NEWADDR, ETH0, "10.9.0.9", 24, "10.9.0.255", IFA_F_SECONDARY);
	qh_apply(t, RTM_NEWADDR, ETH0, "172.16.0.1", 16, "172.16.255.255", IFA_F_SECONDARY);
	qh_apply(t, RTM_NEWADDR, ETH0, "fe80::1", 64, NULL, IFA_F_PERMANENT);
	qh_apply(t, RTM_NEWADDR, ETH0, "2001:db8:9::1", 64, NULL, IFA_F_PERMANENT);
	qh_apply(t, RTM_NEWADDR, ETH1, "192.0.2.1", 24, "192.0.2.255", IFA_F_PERMANENT);
	qh_apply(t, RTM_NEWADDR, ETH1, "198.51.100.1", 0, NULL, IFA_F_PERMANENT);
	qh_apply(t, RTM_NEWADDR, ETH1, "203.0.113.1", 25, NULL, IFA_F_PERMANENT);
}

void qh_conntrack(const struct query *q, uint8_t l4proto, const struct cthd_ifaddrs *t,
		  struct cthd_conntrack *ct, struct cthd_packet *pkt)
{
	memset(ct, 0, sizeof(*ct));
	memset(pkt, 0, sizeof(*pkt));
	ct->family = pkt->family = strchr(q->src, ':') ? AF_INET6 : AF_INET;
	ct->l4proto = pkt->l4proto = l4proto;
	qh_set_addr(&ct->tuple[0].src, q->src);
	qh_set_addr(&ct->tuple[0].dst, q->dst);
	qh_set_addr(&ct->tuple[1].src, q->dst);
	qh_set_addr(&ct->tuple[1].dst, q->nat_src ? q->nat_src : q->src);
	ct->tuple[0].sport = ct->tuple[1].dport = q->sport;
	ct->tuple[0].dport = ct->tuple[1].sport = q->dport;
	pkt->dir = q->dir;
	pkt->outdev = q->outdev;
	pkt->ifaddrs = t;
	pkt->established = q->dir == CTHD_DIR_REPLY;
}

int qh_send(const char *name, const struct cthd_ifaddrs *t, const struct query *q,
	    const void *data, size_t len, struct cthd_result *res)
{
	const struct cthd_helper *h = cthd_helper_find(name);
	struct cthd_conntrack ct;
	struct cthd_packet pkt;

	if (!h)
		return -ENOENT;
	qh_conntrack(q, h->l4proto, t, &ct, &pkt);
	pkt.payload = data;
	pkt.payload_len = len;
	memset(res, 0, sizeof(*res));
	return h->process(&pkt, &ct, NULL, res);
}

void qh_check_none(struct tap *t, const char *helper, const struct cthd_ifaddrs *tab,
		   const struct qh_none_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct qh_none_case *c = &cases[i];
		struct cthd_result res;
		int rc = qh_send(helper, tab, &c->q, c->data, c->len, &res);

		tap_check(t, rc == 0 && res.n_expect == 0 && res.parse_errors == c->parse_errors &&
			  !res.n_mangle && res.verdict == CTHD_ACCEPT, c->name,
			  "rc %d n %u parse errors %u", rc, res.n_expect, res.parse_errors);
	}
}

bool qh_expect_is(const struct cthd_expect *e, const char *src, unsigned int prefixlen,
		  uint16_t sport, const char *dst, uint16_t dport)
{
	union cthd_addr s, d, m = { 0 }, full = { 0 };
	size_t alen = strchr(dst, ':') ? 16 : 4;

	qh_set_addr(&s, src);
	qh_set_addr(&d, dst);
	memset(m.bytes, 0xff, prefixlen / 8);
	if (prefixlen % 8)
		m.bytes[prefixlen / 8] = (uint8_t)(0xff00 >> (prefixlen % 8));
	memset(full.bytes, 0xff, alen);
	return e->l4proto == IPPROTO_UDP && !memcmp(&e->tuple.src, &s, sizeof(s)) &&
	       !memcmp(&e->mask.src, &m, sizeof(m)) && e->tuple.sport == sport &&
	       e->mask.sport == (sport ? 0xffff : 0) && !memcmp(&e->tuple.dst, &d, sizeof(d)) &&
	       !memcmp(&e->mask.dst, &full, sizeof(full)) && e->tuple.dport == dport &&
	       e->mask.dport == 0xffff && e->flags == NF_CT_EXPECT_PERMANENT && e->class == 0 &&
	       !e->nat && !e->expectfn[0];
}
