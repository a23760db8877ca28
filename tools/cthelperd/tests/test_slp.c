// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slp helper. Debian 12 ships no SLP agent (OpenSLP left it), so the
 * requests here are built as tests/vm/slp_agent.py builds them, field by
 * field from RFC 2608 section 8 (SLPv2) and RFC 2165 (SLPv1): this
 * project's own software, not a recording of another's. Then hostile
 * ones: lengths that disagree with the datagram, a language tag running
 * past it, other versions, replies sent as requests, unicast and foreign
 * groups.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/slp.h"
#include "query_harness.h"
#include "tap.h"

/* SLPv2 SrvRqst for service:test in scope DEFAULT, multicast flag, XID 0x1234, "en" */
static const uint8_t srvrqst_v2[] = {
	0x02, 0x01, 0x00, 0x00, 0x2d, 0x20, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 'e', 'n',
	0x00, 0x00,					/* <PRList> */
	0x00, 0x0c, 's', 'e', 'r', 'v', 'i', 'c', 'e', ':', 't', 'e', 's', 't',
	0x00, 0x07, 'D', 'E', 'F', 'A', 'U', 'L', 'T',
	0x00, 0x00,					/* predicate */
	0x00, 0x00,					/* SLP SPI */
};

/* SLPv2 SrvRply to it: one URL, service:test://10.9.0.2 */
static const uint8_t srvrply_v2[] = {
	0x02, 0x02, 0x00, 0x00, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34,
	0x00, 0x02, 'e', 'n',
	0x00, 0x00, 0x00, 0x01,				/* error, URL count */
	0x00, 0x00, 0x3c, 0x00, 0x17, 's', 'e', 'r', 'v', 'i', 'c', 'e', ':', 't', 'e', 's', 't',
	':', '/', '/', '1', '0', '.', '9', '.', '0', '.', '2', 0x00,
};

/* SLPv1 SrvReq: version 1, function 1, length 16, "en", UTF-8 (106), XID 7, empty body */
static const uint8_t srvreq_v1[] = {
	0x01, 0x01, 0x00, 0x10, 0x20, 0x00, 'e', 'n', 0x00, 0x6a, 0x00, 0x07,
	0x00, 0x00, 0x00, 0x00,
};

int main(void)
{
	static struct cthd_ifaddrs tab;
	const struct cthd_helper *h = cthd_helper_find("slp");
	struct tap t = { 0 };
	struct cthd_result res;
	uint8_t p[sizeof(srvrqst_v2)];
	int rc;

	tap_check(&t, h && h->l4proto == IPPROTO_UDP && h->default_port == 427 && h->uses_ifaddrs,
		  "slp_registered", "not registered as expected");
	qh_firewall(&tab);
	tap_check(&t, sizeof(srvrqst_v2) == 0x2d && sizeof(srvrply_v2) == 0x31,
		  "slp_test_packets_as_declared", "lengths %zu %zu", sizeof(srvrqst_v2), sizeof(srvrply_v2));
	tap_check(&t, slp_is_request(srvrqst_v2, sizeof(srvrqst_v2)) == 1 &&
		  slp_is_request(srvreq_v1, sizeof(srvreq_v1)) == 1, "slp_v2_and_v1_requests_recognised",
		  "not a request");
	tap_check(&t, slp_is_request(srvrply_v2, sizeof(srvrply_v2)) == 0, "slp_reply_not_a_request",
		  "taken for a request");
	tap_check(&t, slp_is_request(srvrqst_v2, sizeof(srvrqst_v2) - 1) == -EINVAL &&
		  slp_is_request(srvrqst_v2, 13) == -EINVAL && slp_is_request(srvrqst_v2, 1) == -EINVAL,
		  "slp_cut_request_invalid", "not invalid");
	memcpy(p, srvrqst_v2, sizeof(p));
	p[12] = 0xff;	/* language tag of 65 KB */
	rc = slp_is_request(p, sizeof(p));
	memcpy(p, srvrqst_v2, sizeof(p));
	p[0] = 3;
	tap_check(&t, rc == -EINVAL && slp_is_request(p, sizeof(p)) == -EINVAL,
		  "slp_tag_past_the_end_or_version_3_invalid", "not invalid");
	memcpy(p, srvrqst_v2, sizeof(p));
	p[2] = 0x01;	/* 24-bit length 65 KB longer than the datagram */
	tap_check(&t, slp_is_request(p, sizeof(p)) == -EINVAL, "slp_length_high_byte_invalid",
		  "not invalid");

	rc = qh_send("slp", &tab, &(struct query){ "10.9.0.1", "239.255.255.253", NULL, 40427, 427, ETH0, 0 },
		     srvrqst_v2, sizeof(srvrqst_v2), &res);
	tap_check(&t, rc == 0 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "10.9.0.0", 24, 427, "10.9.0.1", 40427),
		  "slp_multicast_request_expects_the_subnet_port_427", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("slp", &tab, &(struct query){ "10.9.0.1", "10.9.0.255", NULL, 40427, 427, ETH0, 0 },
		     srvrqst_v2, sizeof(srvrqst_v2), &res);
	tap_check(&t, rc == 0 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "10.9.0.0", 24, 427, "10.9.0.1", 40427),
		  "slp_broadcast_request_expects_the_subnet", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("slp", &tab, &(struct query){ "fe80::1", "ff02::116", NULL, 40427, 427, ETH0, 0 },
		     srvrqst_v2, sizeof(srvrqst_v2), &res);
	tap_check(&t, rc == 0 && res.n_expect == 1 &&
		  qh_expect_is(&res.expect[0], "fe80::", 64, 427, "fe80::1", 40427),
		  "slp_ipv6_svrloc_request_expects_the_link", "rc %d n %u", rc, res.n_expect);
	rc = qh_send("slp", &tab, &(struct query){ "2001:db8:9::1", "ff05::1:1234", NULL, 40427, 427, ETH0, 0 },
		     srvreq_v1, sizeof(srvreq_v1), &res);
	tap_check(&t, rc == 0 && res.n_expect == 1, "slp_ipv6_service_specific_group_expects",
		  "rc %d n %u", rc, res.n_expect);

	const struct qh_none_case none[] = {
		{ "slp_request_to_unicast_opens_nothing",
		  { "10.9.0.1", "10.9.0.2", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_request_to_other_group_opens_nothing",
		  { "10.9.0.1", "224.0.0.251", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_ipv6_group_out_of_range_opens_nothing",
		  { "2001:db8:9::1", "ff05::1:1400", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_ipv6_global_scope_opens_nothing",
		  { "2001:db8:9::1", "ff0e::116", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_reply_sent_as_request_opens_nothing",
		  { "10.9.0.1", "239.255.255.253", NULL, 40427, 427, ETH0, 0 }, srvrply_v2, sizeof(srvrply_v2), 0 },
		{ "slp_broadcast_of_other_interface_opens_nothing",
		  { "10.9.0.1", "192.0.2.255", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_forwarded_request_opens_nothing",
		  { "10.9.0.5", "239.255.255.253", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2), 0 },
		{ "slp_cut_request_counted_opens_nothing",
		  { "10.9.0.1", "239.255.255.253", NULL, 40427, 427, ETH0, 0 }, srvrqst_v2, sizeof(srvrqst_v2) - 2, 1 },
	};
	qh_check_none(&t, "slp", &tab, none, sizeof(none) / sizeof(none[0]));
	return tap_done(&t);
}
