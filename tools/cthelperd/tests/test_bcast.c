// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core's answer-to-a-query mechanism (query.c), the address table it
 * reads (ifaddr.c) and the netbios-ns helper. The address table from
 * rtnetlink messages as the kernel sends them, malformed ones too; then
 * every way a packet may ask for a hole wider than the kernel's
 * nf_conntrack_broadcast opens (an address the firewall does not own,
 * another interface's broadcast, a unicast or NATed query, a /0); then
 * NetBIOS packets nmblookup and nmbd (Samba 4.17, Debian 12) sent in a
 * namespace pair, recorded with tcpdump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/netbios_ns.h"
#include "../ifaddr.h"
#include "query_harness.h"
#include "tap.h"

/* 10.9.0.1:59333 -> 10.9.0.255:137, 50 bytes */
static const uint8_t nmblookup_query_bcast[] = {
	0x17, 0x76, 0x01, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x45, 0x4f, 0x45, 0x4e, 0x45, 0x43, 0x46, 0x44, 0x45, 0x46, 0x46,
	0x43, 0x46, 0x47, 0x45, 0x46, 0x46, 0x43, 0x43, 0x41, 0x43, 0x41, 0x43,
	0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x41, 0x41, 0x00, 0x00, 0x20,
	0x00, 0x01,
};

/* 10.9.0.2:137 -> 10.9.0.1:59333, 62 bytes */
static const uint8_t nmbd_query_response[] = {
	0x17, 0x76, 0x85, 0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x45, 0x4f, 0x45, 0x4e, 0x45, 0x43, 0x46, 0x44, 0x45, 0x46, 0x46,
	0x43, 0x46, 0x47, 0x45, 0x46, 0x46, 0x43, 0x43, 0x41, 0x43, 0x41, 0x43,
	0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x41, 0x41, 0x00, 0x00, 0x20,
	0x00, 0x01, 0x00, 0x03, 0xf4, 0x80, 0x00, 0x06, 0x00, 0x00, 0x0a, 0x09,
	0x00, 0x02,
};

/* 10.9.0.2:137 -> 10.9.0.255:137, 68 bytes */
static const uint8_t nmbd_registration_bcast[] = {
	0x5b, 0xd6, 0x29, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x20, 0x45, 0x4f, 0x45, 0x4e, 0x45, 0x43, 0x46, 0x44, 0x45, 0x46, 0x46,
	0x43, 0x46, 0x47, 0x45, 0x46, 0x46, 0x43, 0x43, 0x41, 0x43, 0x41, 0x43,
	0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x00, 0x00, 0x20,
	0x00, 0x01, 0xc0, 0x0c, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x06, 0x00, 0x00, 0x0a, 0x09, 0x00, 0x02,
};

/* 10.9.0.1:42704 -> 10.9.0.2:137, 50 bytes */
static const uint8_t nmblookup_query_unicast[] = {
	0x67, 0x29, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x45, 0x4f, 0x45, 0x4e, 0x45, 0x43, 0x46, 0x44, 0x45, 0x46, 0x46,
	0x43, 0x46, 0x47, 0x45, 0x46, 0x46, 0x43, 0x43, 0x41, 0x43, 0x41, 0x43,
	0x41, 0x43, 0x41, 0x43, 0x41, 0x43, 0x41, 0x41, 0x41, 0x00, 0x00, 0x20,
	0x00, 0x01,
};

static void test_ifaddrs(struct tap *t)
{
	static struct cthd_ifaddrs tab;
	char buf[512];
	struct nlmsghdr *nlh;
	union cthd_addr a;
	const struct cthd_ifaddr *f;
	int rc;

	memset(&tab, 0, sizeof(tab));
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "10.9.0.1", 24, "10.9.0.255", IFA_F_PERMANENT);
	qh_set_addr(&a, "10.9.0.1");
	f = cthd_ifaddrs_find(&tab, ETH0, AF_INET, &a);
	tap_check(t, rc == 1 && f && f->prefixlen == 24 && f->has_broadcast && !f->secondary,
		  "ifaddr_ipv4_added", "rc %d", rc);
	tap_check(t, !cthd_ifaddrs_find(&tab, ETH1, AF_INET, &a), "ifaddr_other_interface_not_found",
		  "found on another ifindex");
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "10.9.0.1", 24, "10.9.0.255", IFA_F_PERMANENT);
	tap_check(t, rc == 0 && tab.n == 1, "ifaddr_same_again_unchanged", "rc %d n %u", rc, tab.n);
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "10.9.0.1", 16, "10.9.255.255", IFA_F_PERMANENT);
	f = cthd_ifaddrs_find(&tab, ETH0, AF_INET, &a);
	tap_check(t, rc == 1 && tab.n == 1 && f && f->prefixlen == 16, "ifaddr_replaced",
		  "rc %d n %u", rc, tab.n);
	rc = qh_apply(&tab, RTM_DELADDR, ETH0, "10.9.0.1", 16, NULL, 0);
	tap_check(t, rc == 1 && tab.n == 0, "ifaddr_deleted", "rc %d n %u", rc, tab.n);
	rc = qh_apply(&tab, RTM_DELADDR, ETH0, "10.9.0.1", 16, NULL, 0);
	tap_check(t, rc == 0, "ifaddr_delete_unknown_ignored", "rc %d", rc);
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "10.9.0.7", 24, "10.9.0.255", IFA_F_SECONDARY);
	qh_set_addr(&a, "10.9.0.7");
	f = cthd_ifaddrs_find(&tab, ETH0, AF_INET, &a);
	tap_check(t, rc == 1 && f && f->secondary, "ifaddr_secondary_flag_kept", "rc %d", rc);
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "fe80::1", 64, NULL, IFA_F_PERMANENT);
	qh_set_addr(&a, "fe80::1");
	f = cthd_ifaddrs_find(&tab, ETH0, AF_INET6, &a);
	tap_check(t, rc == 1 && f && f->prefixlen == 64 && !f->has_broadcast, "ifaddr_ipv6_added",
		  "rc %d", rc);
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "fe80::1", 64, NULL, IFA_F_DADFAILED);
	tap_check(t, rc == 1 && !cthd_ifaddrs_find(&tab, ETH0, AF_INET6, &a),
		  "ifaddr_dad_failed_is_not_ours", "rc %d", rc);

	/* hostile or malformed: the table stays as it was */
	rc = qh_apply(&tab, RTM_NEWADDR, ETH0, "10.1.1.1", 33, NULL, 0);
	tap_check(t, rc == -EINVAL && tab.n == 1, "ifaddr_prefix_too_long_refused", "rc %d", rc);
	rc = qh_apply(&tab, RTM_NEWADDR, 0, "10.1.1.1", 8, NULL, 0);
	tap_check(t, rc == -EINVAL && tab.n == 1, "ifaddr_ifindex_zero_refused", "rc %d", rc);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	tap_check(t, cthd_ifaddrs_apply(&tab, nlh) == -EINVAL && tab.n == 1,
		  "ifaddr_no_ifaddrmsg_refused", "accepted");
	nlh = qh_addr_msg(buf, RTM_NEWADDR, ETH0, "10.1.1.1", 8, NULL, 0);
	/* an IPv4 address of 5 bytes: IFA_ADDRESS and IFA_LOCAL cut wrongly */
	{
		struct nlmsghdr *bad = mnl_nlmsg_put_header(buf + 256);
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(bad, sizeof(*ifa));
		uint8_t five[5] = { 10, 1, 1, 1, 0 };

		bad->nlmsg_type = RTM_NEWADDR;
		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = 8;
		ifa->ifa_index = ETH0;
		mnl_attr_put(bad, IFA_LOCAL, sizeof(five), five);
		tap_check(t, cthd_ifaddrs_apply(&tab, bad) == -EINVAL && tab.n == 1,
			  "ifaddr_address_wrong_length_refused", "accepted");
		bad->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof(*ifa) + 3;	/* attribute cut */
		tap_check(t, cthd_ifaddrs_apply(&tab, bad) == -EINVAL && tab.n == 1,
			  "ifaddr_attribute_cut_refused", "accepted");
	}
	nlh->nlmsg_type = RTM_NEWLINK;
	tap_check(t, cthd_ifaddrs_apply(&tab, nlh) == 0 && tab.n == 1, "ifaddr_other_type_ignored",
		  "applied");

	/* a full table refuses more, it never overwrites */
	memset(&tab, 0, sizeof(tab));
	for (unsigned int i = 0; i < CTHD_IFADDR_MAX; i++) {
		char text[32];

		snprintf(text, sizeof(text), "10.%u.%u.1", i / 256, i % 256);
		qh_apply(&tab, RTM_NEWADDR, ETH0, text, 24, NULL, 0);
	}
	rc = qh_apply(&tab, RTM_NEWADDR, ETH1, "192.0.2.1", 24, "192.0.2.255", 0);
	tap_check(t, rc == -ENOSPC && tab.n == CTHD_IFADDR_MAX && tab.overflows == 1,
		  "ifaddr_table_full_refuses", "rc %d n %u", rc, tab.n);
}

static int run_query(const struct cthd_ifaddrs *tab, const struct query *q, unsigned int kinds,
		     uint16_t reply_sport, struct cthd_result *res, const char **why)
{
	struct cthd_conntrack ct;
	struct cthd_packet pkt;

	qh_conntrack(q, IPPROTO_UDP, tab, &ct, &pkt);
	memset(res, 0, sizeof(*res));
	*why = NULL;
	return cthd_expect_query_replies(&pkt, &ct, kinds, reply_sport, res, why);
}

static void test_query_mechanism(struct tap *t)
{
	static struct cthd_ifaddrs tab;
	const unsigned int B = CTHD_QUERY_BROADCAST, M = CTHD_QUERY_MULTICAST;
	struct cthd_result res;
	const char *why;
	int rc;

	qh_firewall(&tab);
	rc = run_query(&tab, &(struct query){ "10.9.0.1", "10.9.0.255", NULL, 40000, 137, ETH0, 0 },
		       B, 137, &res, &why);
	tap_check(t, rc == 1 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "10.9.0.0", 24, 137, "10.9.0.1", 40000),
		  "query_broadcast_expects_subnet_to_source_port",
		  "rc %d n %u why %s", rc, res.n_expect, why);
	rc = run_query(&tab, &(struct query){ "10.9.0.9", "10.9.0.255", NULL, 40000, 137, ETH0, 0 },
		       B, 137, &res, &why);
	tap_check(t, rc == 1 && qh_expect_is(&res.expect[0], "10.9.0.0", 24, 137, "10.9.0.9", 40000),
		  "query_broadcast_from_secondary_address_to_itself", "rc %d why %s", rc, why);
	rc = run_query(&tab, &(struct query){ "203.0.113.1", "203.0.113.127", NULL, 40000, 137, ETH1, 0 },
		       B, 137, &res, &why);
	tap_check(t, rc == 1 && qh_expect_is(&res.expect[0], "203.0.113.0", 25, 137, "203.0.113.1", 40000),
		  "query_broadcast_without_configured_brd_subnet_end", "rc %d why %s", rc, why);
	rc = run_query(&tab, &(struct query){ "fe80::1", "ff02::fb", NULL, 5353, 5353, ETH0, 0 },
		       M, 5353, &res, &why);
	tap_check(t, rc == 1 && qh_expect_is(&res.expect[0], "fe80::", 64, 5353, "fe80::1", 5353),
		  "query_ipv6_multicast_link_local_prefix", "rc %d why %s", rc, why);
	rc = run_query(&tab, &(struct query){ "2001:db8:9::1", "ff05::c", NULL, 41000, 1900, ETH0, 0 },
		       M, 0, &res, &why);
	tap_check(t, rc == 1 && qh_expect_is(&res.expect[0], "2001:db8:9::", 64, 0, "2001:db8:9::1", 41000),
		  "query_ipv6_multicast_any_source_port", "rc %d why %s", rc, why);
	rc = run_query(&tab, &(struct query){ "10.9.0.1", "224.0.0.251", NULL, 40001, 5353, ETH0, 0 },
		       M, 5353, &res, &why);
	tap_check(t, rc == 1 && qh_expect_is(&res.expect[0], "10.9.0.0", 24, 5353, "10.9.0.1", 40001),
		  "query_ipv4_multicast_source_subnet", "rc %d why %s", rc, why);

	/* everything that must open nothing */
	struct {
		const char *name;
		struct query q;
		unsigned int kinds;
	} none[] = {
		{ "query_reply_direction_none", { "10.9.0.1", "10.9.0.255", NULL, 40000, 137, ETH0, 1 }, B },
		{ "query_incoming_no_outdev_none", { "10.9.0.1", "10.9.0.255", NULL, 40000, 137, 0, 0 }, B },
		{ "query_source_not_ours_none", { "10.9.0.5", "10.9.0.255", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_source_of_other_interface_none", { "192.0.2.1", "10.9.0.255", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_broadcast_of_other_interface_none", { "10.9.0.1", "192.0.2.255", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_broadcast_of_secondary_only_none", { "10.9.0.1", "172.16.255.255", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_subnet_end_with_other_brd_configured_none", { "10.9.0.1", "10.9.0.127", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_without_brd_other_address_none", { "203.0.113.1", "203.0.113.255", NULL, 40000, 137, ETH1, 0 }, B },
		{ "query_limited_broadcast_none", { "10.9.0.1", "255.255.255.255", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_unicast_none", { "10.9.0.1", "10.9.0.2", NULL, 40000, 137, ETH0, 0 }, B | M },
		{ "query_unicast_ipv6_none", { "fe80::1", "fe80::2", NULL, 5353, 5353, ETH0, 0 }, B | M },
		{ "query_multicast_not_allowed_none", { "10.9.0.1", "224.0.0.251", NULL, 40000, 137, ETH0, 0 }, B },
		{ "query_broadcast_not_allowed_none", { "10.9.0.1", "10.9.0.255", NULL, 40000, 427, ETH0, 0 }, M },
		{ "query_natted_none", { "10.9.0.1", "10.9.0.255", "10.9.0.9", 40000, 137, ETH0, 0 }, B },
		{ "query_prefix_zero_none", { "198.51.100.1", "224.0.0.251", NULL, 40000, 5353, ETH1, 0 }, M },
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		rc = run_query(&tab, &none[i].q, none[i].kinds, 137, &res, &why);
		tap_check(t, rc == 0 && res.n_expect == 0 && why, none[i].name, "rc %d n %u",
			  rc, res.n_expect);
		if (why)
			printf("# %s: %s\n", none[i].name, why);
	}
	/* an address deleted since: its queries get nothing */
	{
		struct query q = { "10.9.0.1", "10.9.0.255", NULL, 40000, 137, ETH0, 0 };

		qh_apply(&tab, RTM_DELADDR, ETH0, "10.9.0.1", 24, NULL, 0);
		rc = run_query(&tab, &q, B, 137, &res, &why);
		tap_check(t, rc == 0 && res.n_expect == 0, "query_after_address_deleted_none",
			  "rc %d", rc);
	}
	rc = run_query(NULL, &(struct query){ "10.9.0.1", "10.9.0.255", NULL, 40000, 137, ETH0, 0 },
		       B, 137, &res, &why);
	tap_check(t, rc == 0 && res.n_expect == 0, "query_without_address_table_none", "rc %d", rc);
}

static void test_netbios_ns(struct tap *t)
{
	static struct cthd_ifaddrs tab;
	const struct cthd_helper *h = cthd_helper_find("netbios-ns");
	const struct query bcast = { "10.9.0.1", "10.9.0.255", NULL, 59333, 137, ETH0, 0 };
	const struct query unicast = { "10.9.0.1", "10.9.0.2", NULL, 42704, 137, ETH0, 0 };
	const struct query nmbd = { "10.9.0.1", "10.9.0.255", NULL, 137, 137, ETH0, 0 };
	struct cthd_result res;
	uint8_t cut[12];
	int rc;

	tap_check(t, h && h->l4proto == IPPROTO_UDP && h->default_port == 137 && h->uses_ifaddrs &&
		  h->policies[0].timeout == 3 && h->policies[0].max_expected == 1,
		  "netbios_ns_registered_as_the_kernel", "not as nf_conntrack_netbios_ns");
	qh_firewall(&tab);

	tap_check(t, nbns_is_request(nmblookup_query_bcast, sizeof(nmblookup_query_bcast)) == 1 &&
		  nbns_is_request(nmbd_registration_bcast, sizeof(nmbd_registration_bcast)) == 1 &&
		  nbns_is_request(nmblookup_query_unicast, sizeof(nmblookup_query_unicast)) == 1,
		  "nbns_requests_of_samba_recognised", "not a request");
	tap_check(t, nbns_is_request(nmbd_query_response, sizeof(nmbd_query_response)) == 0,
		  "nbns_response_not_a_request", "taken for a request");
	memcpy(cut, nmblookup_query_bcast, sizeof(cut));
	tap_check(t, nbns_is_request(cut, sizeof(cut)) == -EINVAL &&
		  nbns_is_request(cut, 3) == -EINVAL && nbns_is_request(cut, 0) == -EINVAL,
		  "nbns_header_cut_short_invalid", "not invalid");
	{
		uint8_t p[sizeof(nmblookup_query_bcast)];

		memcpy(p, nmblookup_query_bcast, sizeof(p));
		p[4] = p[5] = 0;	/* no question */
		rc = nbns_is_request(p, sizeof(p));
		memcpy(p, nmblookup_query_bcast, sizeof(p));
		p[2] = (uint8_t)((p[2] & 0x87) | (NBNS_OP_RELEASE << 3));
		tap_check(t, rc == 0 && nbns_is_request(p, sizeof(p)) == 0,
			  "nbns_no_question_or_release_not_a_request", "taken for a request");
	}

	rc = qh_send("netbios-ns", &tab, &bcast, nmblookup_query_bcast,
		       sizeof(nmblookup_query_bcast), &res);
	tap_check(t, rc == 0 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "10.9.0.0", 24, 137, "10.9.0.1", 59333),
		  "netbios_ns_nmblookup_broadcast_expects_the_subnet", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &nmbd, nmbd_registration_bcast,
		       sizeof(nmbd_registration_bcast), &res);
	tap_check(t, rc == 0 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "10.9.0.0", 24, 137, "10.9.0.1", 137),
		  "netbios_ns_nmbd_registration_expects_the_subnet", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &unicast, nmblookup_query_unicast,
		       sizeof(nmblookup_query_unicast), &res);
	tap_check(t, rc == 0 && res.n_expect == 0, "netbios_ns_unicast_query_opens_nothing",
		  "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &(struct query){ "10.9.0.1", "10.9.0.255", NULL, 59333, 137, ETH0, 1 },
		       nmbd_query_response, sizeof(nmbd_query_response), &res);
	tap_check(t, rc == 0 && res.n_expect == 0 && res.parse_errors == 0,
		  "netbios_ns_reply_direction_ignored", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &bcast, nmbd_query_response, sizeof(nmbd_query_response), &res);
	tap_check(t, rc == 0 && res.n_expect == 0, "netbios_ns_broadcast_response_opens_nothing",
		  "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &bcast, cut, sizeof(cut), &res);
	tap_check(t, rc == 0 && res.n_expect == 0 && res.parse_errors == 1,
		  "netbios_ns_cut_query_counted_not_expected", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &(struct query){ "10.9.0.5", "10.9.0.255", NULL, 59333, 137, ETH0, 0 },
		       nmblookup_query_bcast, sizeof(nmblookup_query_bcast), &res);
	tap_check(t, rc == 0 && res.n_expect == 0, "netbios_ns_forwarded_query_opens_nothing",
		  "rc %d n %u", rc, res.n_expect);
	rc = qh_send("netbios-ns", &tab, &(struct query){ "fe80::1", "ff02::1", NULL, 59333, 137, ETH0, 0 },
		       nmblookup_query_bcast, sizeof(nmblookup_query_bcast), &res);
	tap_check(t, rc == 0 && res.n_expect == 0, "netbios_ns_ipv6_opens_nothing",
		  "rc %d n %u", rc, res.n_expect);
}

int main(void)
{
	struct tap t = { 0 };

	test_ifaddrs(&t);
	test_query_mechanism(&t);
	test_netbios_ns(&t);
	return tap_done(&t);
}
