// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The daemon's per-packet path end to end, without a kernel: build the
 * NFQNL_MSG_PACKET the kernel would queue (real IPv4/IPv6 TCP packet,
 * NFQA_CT with tuples and CTA_HELP_INFO), run cthd_process_packet(), and
 * take the verdict apart with code independent of the builders.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ct_parse.h"
#include "../expect_nl.h"
#include "../process.h"
#include "../stats.h"
#include "../helpers/sip.h"
#include "tap.h"

#define QUEUE 7
#define PACKET_ID 4242

struct endpoint {
	const char *addr;
	uint16_t port;
};

/* A conntrack as the test describes it: who talks to whom, after NAT. */
struct scenario {
	int family;
	struct endpoint client, server;		/* original tuple */
	const char *client_nat, *server_nat;	/* reply tuple: src/dst */
	enum cthd_dir dir;
	const char *payload;
	const char *help_name;
	const uint8_t *priv;
	size_t priv_len;
	bool no_ct;
	bool ctinfo_new;	/* IP_CT_NEW instead of established */
	uint32_t cap_len;	/* NFQA_CAP_LEN, when not 0: the packet's real length */
	uint32_t ct_id;		/* CTA_ID; 0: 99 */
	uint32_t seq;		/* TCP sequence number; 0: 1000 */
	const char *queue_helper;	/* the queue's helper; NULL: ftp */
};

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* 0xffff when the TCP checksum (and the IPv4 header's) is right. */
static bool checksums_ok(const uint8_t *pkt, size_t len)
{
	size_t l3 = (pkt[0] >> 4) == 4 ? (size_t)(pkt[0] & 0xf) * 4 : 40;
	uint32_t sum = 0;

	if ((pkt[0] >> 4) == 4) {
		if (fold(sum16(0, pkt, l3)) != 0xffff)
			return false;
		sum = sum16(sum, pkt + 12, 8);
	} else {
		sum = sum16(sum, pkt + 8, 32);
	}
	sum += IPPROTO_TCP + (uint32_t)(len - l3);
	return fold(sum16(sum, pkt + l3, len - l3)) == 0xffff;
}

/* An IP/TCP packet from src to dst carrying payload, checksums filled. */
static size_t build_packet(uint8_t *buf, int family, const struct endpoint *src,
			   const struct endpoint *dst, const char *payload, uint32_t seq)
{
	size_t plen = strlen(payload), l3 = family == AF_INET ? 20 : 40;
	struct tcphdr th = { 0 };
	uint32_t sum = 0;
	uint16_t csum;

	memset(buf, 0, l3 + sizeof(th));
	if (family == AF_INET) {
		struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_TCP };

		ip.tot_len = htons((uint16_t)(l3 + sizeof(th) + plen));
		inet_pton(AF_INET, src->addr, &ip.saddr);
		inet_pton(AF_INET, dst->addr, &ip.daddr);
		memcpy(buf, &ip, sizeof(ip));
		csum = (uint16_t)~fold(sum16(0, buf, l3));
		buf[10] = (uint8_t)(csum >> 8);
		buf[11] = (uint8_t)csum;
	} else {
		struct ip6_hdr ip6 = { 0 };

		ip6.ip6_flow = htonl(6u << 28);
		ip6.ip6_plen = htons((uint16_t)(sizeof(th) + plen));
		ip6.ip6_nxt = IPPROTO_TCP;
		ip6.ip6_hlim = 64;
		inet_pton(AF_INET6, src->addr, &ip6.ip6_src);
		inet_pton(AF_INET6, dst->addr, &ip6.ip6_dst);
		memcpy(buf, &ip6, sizeof(ip6));
	}
	th.source = htons(src->port);
	th.dest = htons(dst->port);
	th.seq = htonl(seq ? seq : 1000);
	th.doff = 5;
	th.psh = th.ack = 1;
	memcpy(buf + l3, &th, sizeof(th));
	memcpy(buf + l3 + sizeof(th), payload, plen);
	sum = family == AF_INET ? sum16(0, buf + 12, 8) : sum16(0, buf + 8, 32);
	sum += IPPROTO_TCP + (uint32_t)(sizeof(th) + plen);
	csum = (uint16_t)~fold(sum16(sum, buf + l3, sizeof(th) + plen));
	buf[l3 + 16] = (uint8_t)(csum >> 8);
	buf[l3 + 17] = (uint8_t)csum;
	return l3 + sizeof(th) + plen;
}

static void addr(int family, const char *text, union cthd_addr *a)
{
	memset(a, 0, sizeof(*a));
	inet_pton(family, text, a);
}

static struct nlmsghdr *build_queue_msg(char *buf, size_t size, const struct scenario *sc)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(PACKET_ID) };
	uint8_t pkt[2048];
	const struct endpoint *from = sc->dir == CTHD_DIR_ORIGINAL ? &sc->client : &sc->server;
	const struct endpoint *to = sc->dir == CTHD_DIR_ORIGINAL ? &sc->server : &sc->client;
	struct endpoint nat_from = *from, nat_to = *to;
	union cthd_addr cs, ss, rs, rd;
	struct nlattr *ct, *help;
	size_t len;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)sc->family;
	nfg->res_id = htons(QUEUE);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	/* the helper hook runs after NAT: a reply arrives already translated */
	if (sc->dir == CTHD_DIR_REPLY)
		nat_from.addr = sc->server_nat;
	len = build_packet(pkt, sc->family, &nat_from, &nat_to, sc->payload, sc->seq);
	mnl_attr_put(nlh, NFQA_PAYLOAD, len, pkt);
	if (sc->no_ct)
		return nlh;
	addr(sc->family, sc->client.addr, &cs);
	addr(sc->family, sc->server.addr, &ss);
	addr(sc->family, sc->server_nat, &rs);
	addr(sc->family, sc->client_nat, &rd);
	ct = mnl_attr_nest_start(nlh, NFQA_CT);
	cthd_tuple_put(nlh, size, CTA_TUPLE_ORIG, sc->family, IPPROTO_TCP, &cs, &ss,
		       sc->client.port, sc->server.port);
	cthd_tuple_put(nlh, size, CTA_TUPLE_REPLY, sc->family, IPPROTO_TCP, &rs, &rd,
		       sc->server.port, sc->client.port);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(sc->ct_id ? sc->ct_id : 99));
	help = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, sc->help_name ? sc->help_name : "ftp");
	if (sc->priv)
		mnl_attr_put(nlh, CTA_HELP_INFO, sc->priv_len, sc->priv);
	mnl_attr_nest_end(nlh, help);
	mnl_attr_nest_end(nlh, ct);
	if (sc->cap_len)
		mnl_attr_put_u32(nlh, NFQA_CAP_LEN, htonl(sc->cap_len));
	mnl_attr_put_u32(nlh, NFQA_CT_INFO,
			 htonl(sc->ctinfo_new ? IP_CT_NEW :
			       sc->dir == CTHD_DIR_ORIGINAL ? IP_CT_ESTABLISHED
							    : IP_CT_ESTABLISHED_REPLY));
	return nlh;
}

/* --- taking the verdict apart ------------------------------------------ */

struct parsed_verdict {
	bool ok;
	bool ack;
	uint32_t id, verdict;
	const uint8_t *payload;
	size_t payload_len;
	const char *help_name;
	const uint8_t *help_info;
	size_t help_info_len;
	bool has_exp, has_nat, has_master;
	unsigned int n_exp;		/* NFQA_EXP attributes; the rest is of the last */
	char expectfn[32];
	char exp_helper[CTHD_NAME_MAX];
	uint32_t exp_flags;
	uint32_t nat_dir, exp_class;
	union cthd_addr exp_src, exp_dst, nat_src;
	uint16_t exp_dport, nat_sport, mask_sport, mask_dport;
	bool has_flush, flush_after_exp;
	uint32_t flush;			/* NFQA_EXP_FLUSH, host order */
};

static const struct nlattr *nested(const struct nlattr *nest, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* Tuple contents: source/destination address and ports. */
static bool read_tuple(const struct nlattr *t, union cthd_addr *src, union cthd_addr *dst,
		       uint16_t *sport, uint16_t *dport)
{
	const struct nlattr *ip = t ? nested(t, CTA_TUPLE_IP) : NULL;
	const struct nlattr *proto = t ? nested(t, CTA_TUPLE_PROTO) : NULL;
	const struct nlattr *a;

	if (!ip || !proto || !nested(proto, CTA_PROTO_NUM))
		return false;
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if ((a = nested(ip, CTA_IP_V4_SRC)) || (a = nested(ip, CTA_IP_V6_SRC)))
		memcpy(src, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	if ((a = nested(ip, CTA_IP_V4_DST)) || (a = nested(ip, CTA_IP_V6_DST)))
		memcpy(dst, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	a = nested(proto, CTA_PROTO_SRC_PORT);
	*sport = a ? ntohs(mnl_attr_get_u16(a)) : 0;
	a = nested(proto, CTA_PROTO_DST_PORT);
	*dport = a ? ntohs(mnl_attr_get_u16(a)) : 0;
	return nested(proto, CTA_PROTO_SRC_PORT) && nested(proto, CTA_PROTO_DST_PORT);
}

static struct parsed_verdict parse_verdict(const struct nlmsghdr *nlh)
{
	struct parsed_verdict p = { 0 };
	const struct nlattr *a;
	union cthd_addr dummy;
	uint16_t dport;

	if (!nlh || nlh->nlmsg_type != ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT))
		return p;
	p.ok = true;
	p.ack = nlh->nlmsg_flags & NLM_F_ACK;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case NFQA_VERDICT_HDR: {
			const struct nfqnl_msg_verdict_hdr *vh = mnl_attr_get_payload(a);

			p.id = ntohl(vh->id);
			p.verdict = ntohl(vh->verdict);
			break;
		}
		case NFQA_PAYLOAD:
			p.payload = mnl_attr_get_payload(a);
			p.payload_len = mnl_attr_get_payload_len(a);
			break;
		case NFQA_CT: {
			const struct nlattr *help = nested(a, CTA_HELP), *x;

			if (!help)
				break;
			if ((x = nested(help, CTA_HELP_NAME)))
				p.help_name = mnl_attr_get_str(x);
			if ((x = nested(help, CTA_HELP_INFO))) {
				p.help_info = mnl_attr_get_payload(x);
				p.help_info_len = mnl_attr_get_payload_len(x);
			}
			break;
		}
		case CTHD_NFQA_EXP_FLUSH:
			p.has_flush = true;
			p.flush_after_exp = p.has_exp;
			if (mnl_attr_get_payload_len(a) != sizeof(uint32_t))
				p.ok = false;
			else
				p.flush = ntohl(mnl_attr_get_u32(a));
			break;
		case NFQA_EXP: {
			const struct nlattr *x, *nat;

			p.has_exp = true;
			p.n_exp++;
			p.has_master = nested(a, CTA_EXPECT_MASTER) != NULL;
			if (!read_tuple(nested(a, CTA_EXPECT_TUPLE), &p.exp_src, &p.exp_dst,
					&dport, &p.exp_dport) ||
			    !read_tuple(nested(a, CTA_EXPECT_MASK), &dummy, &dummy,
					&p.mask_sport, &p.mask_dport))
				p.ok = false;
			if ((x = nested(a, CTA_EXPECT_CLASS)))
				p.exp_class = ntohl(mnl_attr_get_u32(x));
			if ((x = nested(a, CTA_EXPECT_FN)))
				snprintf(p.expectfn, sizeof(p.expectfn), "%s", mnl_attr_get_str(x));
			if ((x = nested(a, CTA_EXPECT_HELP_NAME)))
				snprintf(p.exp_helper, sizeof(p.exp_helper), "%s",
					 mnl_attr_get_str(x));
			if ((x = nested(a, CTA_EXPECT_FLAGS)))
				p.exp_flags = ntohl(mnl_attr_get_u32(x));
			if ((nat = nested(a, CTA_EXPECT_NAT))) {
				p.has_nat = true;
				x = nested(nat, CTA_EXPECT_NAT_DIR);
				p.nat_dir = x ? ntohl(mnl_attr_get_u32(x)) : 99;
				if (!read_tuple(nested(nat, CTA_EXPECT_NAT_TUPLE), &p.nat_src, &dummy,
						&p.nat_sport, &dport))
					p.ok = false;
			}
			break;
		}
		}
	}
	return p;
}

static bool addr_is(int family, const union cthd_addr *a, const char *text)
{
	union cthd_addr b;

	addr(family, text, &b);
	return memcmp(a, &b, sizeof(b)) == 0;
}

static bool payload_is(const struct parsed_verdict *p, const char *want)
{
	size_t l3, plen = strlen(want);

	if (!p->payload || p->payload_len < 40)
		return false;
	l3 = (p->payload[0] >> 4) == 4 ? 20 : 40;
	return p->payload_len == l3 + 20 + plen &&
	       memcmp(p->payload + l3 + 20, want, plen) == 0 &&
	       checksums_ok(p->payload, p->payload_len) &&
	       ((p->payload[0] >> 4) == 4 ?
		(size_t)(p->payload[2] << 8 | p->payload[3]) == p->payload_len :
		(size_t)(p->payload[4] << 8 | p->payload[5]) == p->payload_len - 40);
}

static struct cthd_scratch scratch;
static const uint8_t zero_priv[24];	/* a new connection's private data */
/* per direction: a line starts at sequence number 1000 (after a NOOP) */
static uint8_t at_line_start[2][24];

static void make_line_start_priv(void)
{
	for (int dir = 0; dir < 2; dir++) {
		struct cthd_packet pkt = {
			.payload = (const uint8_t *)"NOOP\r\n", .payload_len = 6,
			.dir = dir, .tcp_seq = 994, .established = true,
		};
		struct cthd_conntrack ct = { .family = AF_INET, .l4proto = IPPROTO_TCP };
		struct cthd_result res = { 0 };

		cthd_helper_find("ftp")->process(&pkt, &ct, at_line_start[dir], &res);
	}
}
static const char *seed_dir;	/* --write-seeds: keep the messages for the fuzzer */

static void write_seed(const struct nlmsghdr *nlh)
{
	static int n;
	size_t skip = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));
	char path[512];
	FILE *f;

	if (!seed_dir)
		return;
	snprintf(path, sizeof(path), "%s/msg%d", seed_dir, n++);
	f = fopen(path, "w");
	if (f) {
		fwrite((const char *)nlh + skip, 1, nlh->nlmsg_len - skip, f);
		fclose(f);
	}
}

static struct parsed_verdict run_on_kernel(const struct scenario *sc,
					   unsigned int exp_per_verdict,
					   struct cthd_counters *c, struct cthd_outcome *out)
{
	static char msg[4096];
	struct nlmsghdr *nlh = build_queue_msg(msg, sizeof(msg), sc);

	write_seed(nlh);
	cthd_process_packet(nlh, cthd_helper_find(sc->queue_helper ? sc->queue_helper : "ftp"),
			    NULL, exp_per_verdict, &scratch, c, out);
	return parse_verdict(out->verdict);
}

/* On this project's kernel, which takes every NFQA_EXP of a verdict. */
static struct parsed_verdict run(const struct scenario *sc, struct cthd_counters *c,
				 struct cthd_outcome *out)
{
	return run_on_kernel(sc, CTHD_EXPECT_MAX, c, out);
}

static void test_port_snat_ipv4(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET, .client = { "192.168.1.10", 40000 },
		.server = { "198.51.100.2", 21 }, .client_nat = "203.0.113.1",
		.server_nat = "198.51.100.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "PORT 192,168,1,10,19,137\r\n",
		.priv = at_line_start[CTHD_DIR_ORIGINAL], .priv_len = 24,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.id == PACKET_ID && p.verdict == NF_ACCEPT && out.error == 0,
		  "verdict_answers_packet_id_with_accept", "id %u verdict %u err %d (%s)",
		  p.id, p.verdict, out.error, out.error_what ? out.error_what : "");
	tap_check(t, payload_is(&p, "PORT 203,0,113,1,19,137\r\n"),
		  "verdict_payload_rewritten_with_valid_checksums", "payload_len %zu",
		  p.payload_len);
	tap_check(t, p.help_name && !strcmp(p.help_name, "ftp") && p.help_info_len == 24,
		  "verdict_carries_private_data", "help_info_len %zu", p.help_info_len);
	tap_check(t, p.has_exp && !p.has_master && p.exp_class == 0 &&
		  addr_is(AF_INET, &p.exp_src, "198.51.100.2") &&
		  addr_is(AF_INET, &p.exp_dst, "203.0.113.1") && p.exp_dport == 5001 &&
		  p.mask_sport == 0 && p.mask_dport == 0xffff && p.ack,
		  "verdict_expectation_tuple_and_mask_ack_requested", "dport %u ack %d",
		  p.exp_dport, p.ack);
	tap_check(t, p.has_nat && p.nat_dir == CTHD_DIR_REPLY &&
		  addr_is(AF_INET, &p.nat_src, "192.168.1.10") && p.nat_sport == 5001 &&
		  !strcmp(p.expectfn, "nat-follow-master"),
		  "verdict_expectation_has_cta_expect_nat_and_fn",
		  "has_nat %d dir %u nat_sport %u fn '%s'", p.has_nat, p.nat_dir,
		  p.nat_sport, p.expectfn);
	tap_check(t, c.packets == 1 && c.expectations == 1 && c.mangled == 1 &&
		  c.accepted_on_error == 0,
		  "counters_packet_expectation_mangled", "packets %lu exp %lu mangled %lu",
		  (unsigned long)c.packets, (unsigned long)c.expectations,
		  (unsigned long)c.mangled);
}

/* Two PORT commands in one segment: two expectations, one verdict. */
static void test_two_expectations(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET, .client = { "192.168.1.10", 40000 },
		.server = { "198.51.100.2", 21 }, .client_nat = "192.168.1.10",
		.server_nat = "198.51.100.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "PORT 192,168,1,10,19,137\r\nPORT 192,168,1,10,19,138\r\n",
		.priv = at_line_start[CTHD_DIR_ORIGINAL], .priv_len = 24,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.n_exp == 2 && p.exp_dport == 5002 && out.n_extra == 0 && p.ack,
		  "two_expectations_in_one_verdict", "n_exp %u last dport %u extra %u",
		  p.n_exp, p.exp_dport, out.n_extra);
	p = run_on_kernel(&sc, 1, &c, &out);
	tap_check(t, p.ok && p.n_exp == 1 && p.exp_dport == 5001 && out.n_extra == 1 &&
		  out.extra[0].tuple.dport == 5002,
		  "one_expectation_per_verdict_rest_for_ctnetlink",
		  "n_exp %u dport %u extra %u", p.n_exp, p.exp_dport, out.n_extra);
	tap_check(t, c.expectations == 4, "counters_count_every_expectation",
		  "expectations %lu", (unsigned long)c.expectations);
}

static void test_epsv_ipv6_dnat(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET6, .client = { "2001:db8:1::7", 40000 },
		.server = { "2001:db8:ff::5", 21 }, .client_nat = "2001:db8:1::7",
		.server_nat = "fd00:2::5", .dir = CTHD_DIR_REPLY,
		.payload = "229 Entering Extended Passive Mode (|||50000|)\r\n",
		.priv = at_line_start[CTHD_DIR_REPLY], .priv_len = 24,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	p = run(&sc, &c, &out);
	tap_check(t, p.ok && !p.payload && p.has_exp &&
		  addr_is(AF_INET6, &p.exp_src, "2001:db8:1::7") &&
		  addr_is(AF_INET6, &p.exp_dst, "2001:db8:ff::5") && p.exp_dport == 50000 &&
		  p.has_nat && p.nat_dir == CTHD_DIR_ORIGINAL &&
		  addr_is(AF_INET6, &p.nat_src, "fd00:2::5") && p.nat_sport == 50000 &&
		  !strcmp(p.expectfn, "nat-follow-master"),
		  "verdict_epsv_ipv6_dnat_expectation", "ok %d exp %d nat %d", p.ok, p.has_exp,
		  p.has_nat);
}

static void test_eprt_ipv6_snat(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET6, .client = { "fd00:1::10", 40000 },
		.server = { "2001:db8:2::2", 21 }, .client_nat = "2001:db8::1",
		.server_nat = "2001:db8:2::2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "EPRT |2|fd00:1::10|50001|\r\n",
		.priv = at_line_start[CTHD_DIR_ORIGINAL], .priv_len = 24,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	p = run(&sc, &c, &out);
	tap_check(t, p.ok && payload_is(&p, "EPRT |2|2001:db8::1|50001|\r\n") && p.has_nat,
		  "verdict_eprt_ipv6_snat_payload_and_checksum", "payload_len %zu",
		  p.payload_len);
}

/*
 * No NAT: a new connection's first segment is not read from its start but
 * marks the connection; every segment then moves the line start on, which
 * the verdict carries back.
 */
static void test_plain_line(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET, .client = { "10.0.0.1", 40000 },
		.server = { "10.0.0.2", 21 }, .client_nat = "10.0.0.1",
		.server_nat = "10.0.0.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "PORT 10,0,0,1,4,1\r\n",
	};
	uint8_t priv[24];
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	memset(priv, 0, sizeof(priv));
	sc.priv = priv;
	sc.priv_len = sizeof(priv);
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && !p.payload && !p.has_exp && p.help_info_len == 24 && !p.ack,
		  "verdict_first_segment_marks_the_connection", "exp %d info %zu", p.has_exp,
		  p.help_info_len);
	/* the kernel hands the new state back with the next packet */
	memcpy(priv, p.help_info, sizeof(priv));
	sc.seq = 1019;
	sc.payload = "PORT 10,0,0,1,4,2\r\n";
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.has_exp && !p.has_nat && !p.expectfn[0] && p.exp_dport == 1026 &&
		  p.help_info_len == 24,
		  "verdict_plain_expectation_without_nat", "exp %d nat %d", p.has_exp,
		  p.has_nat);
}

/*
 * Packets in flight: one queued before the verdict on the previous one
 * carries the private data from before it. The daemon must continue from
 * what it wrote last, or it reads lines at stale line starts, or misses
 * lines at the current ones.
 */
static void test_stale_private_data(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET, .client = { "10.9.0.1", 40001 },
		.server = { "10.9.0.2", 21 }, .client_nat = "10.9.0.1",
		.server_nat = "10.9.0.2", .dir = CTHD_DIR_ORIGINAL,
		.priv_len = 24,
	};
	uint8_t p1[24], p2[24];
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	memset(scratch.priv_cache, 0, sizeof(scratch.priv_cache));
	sc.priv = zero_priv;
	sc.seq = 994;
	sc.payload = "NOOP\r\n";
	p = run(&sc, &c, &out);
	memcpy(p1, p.help_info, sizeof(p1));
	sc.priv = p1;
	sc.seq = 1000;
	sc.payload = "PORT 10,9,0,1,4,1\r\n";
	p = run(&sc, &c, &out);
	memcpy(p2, p.help_info, sizeof(p2));
	/* queued before that verdict: still carries p1 */
	sc.dir = CTHD_DIR_REPLY;
	sc.payload = "200 NOOP ok.\r\n";
	p = run(&sc, &c, &out);
	/* struct cthd_stream: next_seq[0] at 0, mark_seq[0] at 8 */
	tap_check(t, p.ok && p.has_exp == false && p.help_info &&
		  !memcmp(p.help_info, p2, 4) && !memcmp(p.help_info + 8, p2 + 8, 4) &&
		  memcmp(p2, p1, 4),
		  "stale_private_data_not_written_back", "verdict wrote the stale state back");
	sc.dir = CTHD_DIR_ORIGINAL;
	sc.seq = 1019;
	sc.payload = "PORT 10,9,0,1,4,2\r\n";
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.has_exp && p.exp_dport == 1026,
		  "line_start_survives_packets_in_flight", "exp %d", p.has_exp);
}

/*
 * Two clients behind one SNAT announce the same port to one server: the
 * second must be told another port, or the server's connection for it
 * would match the first one's expectation and reach the first client.
 */
static void test_nat_port_clash(struct tap *t)
{
	struct scenario a = {
		.family = AF_INET, .client = { "192.168.1.10", 40000 },
		.server = { "198.51.100.2", 21 }, .client_nat = "203.0.113.1",
		.server_nat = "198.51.100.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "PORT 192,168,1,10,19,137\r\n",
		.priv = at_line_start[CTHD_DIR_ORIGINAL], .priv_len = 24, .ct_id = 1,
	};
	struct scenario b = a;
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	memset(&scratch.natports, 0, sizeof(scratch.natports));
	scratch.fixed_now = 1000;
	b.client.addr = "192.168.1.11";
	b.client.port = 40001;
	b.ct_id = 2;
	b.payload = "PORT 192,168,1,11,19,137\r\n";
	p = run(&a, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5001 && payload_is(&p, "PORT 203,0,113,1,19,137\r\n"),
		  "nat_port_first_announcement_kept", "dport %u", p.exp_dport);
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5002 && p.nat_sport == 5001 &&
		  addr_is(AF_INET, &p.nat_src, "192.168.1.11") &&
		  payload_is(&p, "PORT 203,0,113,1,19,138\r\n"),
		  "nat_port_clash_moves_to_next_port", "dport %u nat %u", p.exp_dport, p.nat_sport);
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5002 && payload_is(&p, "PORT 203,0,113,1,19,138\r\n"),
		  "nat_port_retransmission_same_port", "dport %u", p.exp_dport);

	/* FTP keeps one expectation a master: a new announcement frees the old port */
	a.payload = "PORT 192,168,1,10,23,112\r\n";
	p = run(&a, &c, &out);
	/* ...and a copy of b's announcement still gets b's port, not the freed one */
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5002 && payload_is(&p, "PORT 203,0,113,1,19,138\r\n"),
		  "nat_port_retransmission_same_port_after_a_port_before_is_freed", "dport %u",
		  p.exp_dport);
	b.ct_id = 3;
	b.client.port = 40002;
	b.payload = "PORT 192,168,1,11,19,137\r\n";
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5001, "nat_port_freed_by_the_masters_next_expectation",
		  "dport %u", p.exp_dport);

	/*
	 * Reservations end with the expectation timeout (300 s for ftp) and
	 * the margin for the kernel's later start, not before.
	 */
	scratch.fixed_now += 300 + CTHD_NATPORT_MARGIN - 1;
	b.ct_id = 60;
	b.client.port = 40060;
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5003, "nat_port_reservations_outlive_the_timeout",
		  "dport %u", p.exp_dport);
	scratch.fixed_now += 1;
	b.ct_id = 4;
	b.client.port = 40003;
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.exp_dport == 5001, "nat_port_reservations_expire", "dport %u",
		  p.exp_dport);

	/*
	 * Kept apart by destination whatever the source: a wildcard-source
	 * expectation (an IRC DCC) clashes in the kernel with any other.
	 */
	{
		struct cthd_conntrack m1 = { .family = AF_INET, .l4proto = IPPROTO_TCP, .id = 7 };
		struct cthd_conntrack m2 = { .family = AF_INET, .l4proto = IPPROTO_TCP, .id = 8 };
		struct cthd_expect e1 = { .l4proto = IPPROTO_TCP, .nat = true, .nat_port = 10000 };
		struct cthd_expect e2;

		m2.tuple[CTHD_DIR_ORIGINAL].sport = 1;
		addr(AF_INET, "203.0.113.1", &e1.tuple.dst);
		e2 = e1;
		addr(AF_INET, "198.51.100.2", &e2.tuple.src);
		tap_check(t, cthd_natports_pick(&scratch.natports, &m1, &e1) == 10000 &&
			  cthd_natports_pick(&scratch.natports, &m2, &e2) == 10001,
			  "nat_port_kept_apart_whatever_the_source", "same port given twice");
	}

	/*
	 * A restarted daemon knows the ports the kernel's expectations hold
	 * (a ctnetlink dump at start): a new announcement avoids them.
	 */
	{
		char buf[512];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		union cthd_addr src, dst;
		struct cthd_exp_seen seen;
		struct nfgenmsg *nfg;

		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = AF_INET;
		addr(AF_INET, "198.51.100.2", &src);
		addr(AF_INET, "203.0.113.1", &dst);
		cthd_tuple_put(nlh, sizeof(buf), CTA_EXPECT_TUPLE, AF_INET, IPPROTO_TCP, &src, &dst,
			       0, 7000);
		mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(250));
		memset(&scratch.natports, 0, sizeof(scratch.natports));
		tap_check(t, cthd_exp_parse(nlh, &seen) == 0 && seen.l4proto == IPPROTO_TCP &&
			  seen.dport == 7000 && seen.timeout == 250 &&
			  addr_is(AF_INET, &seen.dst, "203.0.113.1"),
			  "exp_dump_message_parsed", "dport %u timeout %u", seen.dport, seen.timeout);
		cthd_natports_seed(&scratch.natports, scratch.fixed_now, seen.l4proto, &seen.dst,
				   seen.dport, seen.timeout);
		b.ct_id = 50;
		b.client.port = 40050;
		b.payload = "PORT 192,168,1,11,27,88\r\n";
		p = run(&b, &c, &out);
		tap_check(t, p.ok && p.exp_dport == 7001 && payload_is(&p, "PORT 203,0,113,1,27,89\r\n"),
			  "nat_port_held_in_the_kernel_at_start_avoided", "dport %u", p.exp_dport);
		scratch.fixed_now += 250 + CTHD_NATPORT_MARGIN;
		b.ct_id = 51;
		b.client.port = 40051;
		p = run(&b, &c, &out);
		tap_check(t, p.ok && p.exp_dport == 7000, "nat_port_held_at_start_free_after_its_timeout",
			  "dport %u", p.exp_dport);
	}

	/* every port of the search taken: no expectation and no rewrite */
	memset(&scratch.natports, 0, sizeof(scratch.natports));
	b.ct_id = 1;
	b.client.port = 19999;
	b.payload = "PORT 192,168,1,11,39,16\r\n";	/* 10000: the master's earlier one */
	p = run(&b, &c, &out);
	b.payload = "PORT 192,168,1,11,19,137\r\n";
	for (uint32_t id = 100; id < 100 + CTHD_NATPORT_SEARCH; id++) {
		b.ct_id = id;
		b.client.port = (uint16_t)(20000 + id);
		p = run(&b, &c, &out);
	}
	c.lost = 0;
	b.ct_id = 1;
	b.client.port = 19999;
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_ACCEPT && !p.has_exp && !p.payload && c.lost == 1,
		  "nat_port_none_free_nothing_announced", "exp %d dport %u lost %lu", p.has_exp,
		  p.exp_dport, (unsigned long)c.lost);
	/*
	 * ...and without a new expectation the kernel keeps the master's
	 * earlier one: its port stays reserved, not evicted for nothing.
	 */
	b.ct_id = 2;
	b.client.port = 19998;
	b.payload = "PORT 192,168,1,11,39,16\r\n";
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.has_exp && p.exp_dport == 10001,
		  "nat_port_none_free_keeps_the_masters_earlier_port", "told %u", p.exp_dport);
	memset(&scratch.natports, 0, sizeof(scratch.natports));
	scratch.fixed_now = 0;
}

static void test_errors_accept(struct tap *t)
{
	struct scenario sc = {
		.family = AF_INET, .client = { "10.0.0.1", 40000 },
		.server = { "10.0.0.2", 21 }, .client_nat = "10.0.0.1",
		.server_nat = "10.0.0.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "PORT 10,0,0,1,4,1\r\n", .no_ct = true,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;

	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.id == PACKET_ID && p.verdict == NF_ACCEPT && !p.payload &&
		  !p.has_exp && out.error < 0 && c.accepted_on_error == 1,
		  "no_conntrack_accepted_and_counted", "err %d aoe %lu", out.error,
		  (unsigned long)c.accepted_on_error);

	sc.no_ct = false;
	sc.help_name = "sip";
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_ACCEPT && !p.has_exp && c.accepted_on_error == 2,
		  "other_helpers_conntrack_accepted_and_counted", "aoe %lu",
		  (unsigned long)c.accepted_on_error);

	/*
	 * Registered with no private data: served without state, so no line
	 * start is known but those after a newline in the same segment.
	 */
	sc.help_name = NULL;
	sc.priv = NULL;
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && !p.has_exp && !p.help_info && out.error == 0,
		  "no_private_data_no_line_start_known", "exp %d info %p", p.has_exp,
		  (const void *)p.help_info);
	sc.payload = "NOOP\r\nPORT 10,0,0,1,4,1\r\n";
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.has_exp && !p.help_info && out.error == 0,
		  "no_private_data_served_statelessly", "exp %d info %p", p.has_exp,
		  (const void *)p.help_info);

	/* a copy cut short by the queue's copy range: neither read nor rewritten */
	sc.payload = "PORT 10,0,0,1,4,1\r\n";
	sc.priv = at_line_start[CTHD_DIR_ORIGINAL];
	sc.priv_len = 24;
	sc.cap_len = 70000;
	c.lost = 0;
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_ACCEPT && !p.has_exp && !p.payload && !p.help_info &&
		  c.lost == 1 && c.accepted_on_error == 2,
		  "truncated_copy_not_read_counted_lost", "exp %d lost %lu aoe %lu", p.has_exp,
		  (unsigned long)c.lost, (unsigned long)c.accepted_on_error);
	sc.cap_len = 0;

	/* a SYN with data, or a loose pickup: not established, not read */
	sc.priv = at_line_start[CTHD_DIR_ORIGINAL];
	sc.priv_len = 24;
	sc.ctinfo_new = true;
	p = run(&sc, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_ACCEPT && !p.has_exp && !p.help_info,
		  "not_established_not_read", "exp %d", p.has_exp);
}

/* The attribute collector on hostile layouts, as libmnl's parser treated them. */
static void test_nla_collect(struct tap *t)
{
	static const struct cthd_nla_rule rules[4] = {
		[1] = { CTHD_NLA_BINARY, 4 }, [2] = { CTHD_NLA_NESTED, 0 },
		[3] = { CTHD_NLA_STRING, 0 },
	};
	uint32_t buf[16] __attribute__((aligned(4)));
	struct nlattr *a = (struct nlattr *)buf;
	const struct nlattr *tb[4];
	char *payload = (char *)(a + 1);

	/* a kept type of the wrong length: the message is refused */
	a->nla_type = 1;
	a->nla_len = MNL_ATTR_HDRLEN + 2;
	tap_check(t, cthd_nla_collect(buf, 8, rules, 3, tb) == -EINVAL,
		  "nla_wrong_length_refused", " ");
	/* an unknown type of any length is skipped; NLA_F_NESTED is not the type */
	a->nla_type = 9;
	a->nla_len = MNL_ATTR_HDRLEN + 3;
	a[2].nla_type = NLA_F_NESTED | 2;
	a[2].nla_len = MNL_ATTR_HDRLEN;
	tap_check(t, cthd_nla_collect(buf, 16, rules, 3, tb) == 0 && tb[2] == &a[2] && !tb[1],
		  "nla_unknown_skipped_flags_masked", "tb2 %p", (const void *)tb[2]);
	/* one claiming more than is left ends the walk, nothing kept from it */
	a->nla_type = 1;
	a->nla_len = 200;
	tap_check(t, cthd_nla_collect(buf, 16, rules, 3, tb) == 0 && !tb[1],
		  "nla_overlong_ends_walk", "tb1 %p", (const void *)tb[1]);
	/* a nest too short for an attribute, a string without its NUL */
	a->nla_type = 2;
	a->nla_len = MNL_ATTR_HDRLEN + 2;
	tap_check(t, cthd_nla_collect(buf, 8, rules, 3, tb) == -EINVAL,
		  "nla_short_nest_refused", " ");
	a->nla_type = 3;
	a->nla_len = MNL_ATTR_HDRLEN + 3;
	memcpy(payload, "ftp", 3);
	tap_check(t, cthd_nla_collect(buf, 8, rules, 3, tb) == -EINVAL,
		  "nla_unterminated_string_refused", " ");
	/* the last of a type wins, as with libmnl */
	a->nla_type = 1;
	a->nla_len = MNL_ATTR_HDRLEN + 4;
	a[2] = a[0];
	tap_check(t, cthd_nla_collect(buf, 16, rules, 3, tb) == 0 && tb[1] == &a[2],
		  "nla_last_of_a_type_kept", "tb1 %p", (const void *)tb[1]);
}

static void test_stats_format(struct tap *t)
{
	struct cthd_counters c = { .packets = 12, .expectations = 3, .accepted_on_error = 1 };
	struct cthd_stats_entry e[] = { { "ftp", 0, &c }, { "tftp", 5, &c } };
	char buf[2048], tiny[16];
	int n;

	n = cthd_stats_format_json(e, 2, buf, sizeof(buf));
	tap_check(t, n > 0 && strstr(buf, "{\"helpers\":[{\"name\":\"ftp\",\"queue\":0,\"packets\":12,"
				    "\"expectations\":3,") &&
		  strstr(buf, "\"accepted_on_error\":1") && strstr(buf, "{\"name\":\"tftp\",\"queue\":5"),
		  "stats_json", "%s", buf);
	n = cthd_stats_format_text(e, 1, buf, sizeof(buf));
	tap_check(t, n > 0 && strstr(buf, "helper ftp queue 0\n") &&
		  strstr(buf, "  packets            12\n"), "stats_text", "%s", buf);
	tap_check(t, cthd_stats_format_json(e, 2, tiny, sizeof(tiny)) == -ENOSPC &&
		  strlen(tiny) == sizeof(tiny) - 1, "stats_short_buffer", "%s", tiny);
}

/* An expectation that assigns a helper to its connection carries its name. */
static void test_expect_assigns_helper(struct tap *t)
{
	static uint8_t buf[8192];
	struct cthd_expect exp = { .class = 0, .l4proto = IPPROTO_UDP, .flags = 1 };
	struct cthd_verdict_msg v = {
		.queue = 1, .packet_id = 7, .verdict = NF_ACCEPT, .helper_name = "sip",
		.exp = &exp, .n_exp = 1, .family = AF_INET,
	};
	struct parsed_verdict p;
	struct nlmsghdr *nlh;

	addr(AF_INET, "10.0.0.1", &exp.tuple.dst);
	exp.tuple.dport = 5060;
	exp.mask.dport = 0xffff;
	snprintf(exp.helper, sizeof(exp.helper), "sip");
	nlh = cthd_verdict_build(buf, sizeof(buf), &v);
	p = nlh ? parse_verdict(nlh) : (struct parsed_verdict){ 0 };
	tap_check(t, nlh && p.ok && p.n_exp == 1 && !strcmp(p.exp_helper, "sip") &&
		  p.exp_flags == 1 && p.exp_dport == 5060,
		  "verdict_expectation_names_the_helper_to_assign", "helper '%s' flags %u",
		  p.exp_helper, p.exp_flags);
	exp.helper[0] = '\0';
	nlh = cthd_verdict_build(buf, sizeof(buf), &v);
	p = nlh ? parse_verdict(nlh) : (struct parsed_verdict){ 0 };
	tap_check(t, nlh && p.ok && !p.exp_helper[0], "verdict_expectation_without_helper_name",
		  "helper '%s'", p.exp_helper);
}

#define TCP_REGISTER(cseq, contact)							\
	"REGISTER sip:198.51.100.2 SIP/2.0\r\nCSeq: " cseq " REGISTER\r\n"			\
	"Contact: <sip:a@" contact ";transport=tcp>\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n"

/* A SIP phone behind SNAT (to 203.0.113.1) registering over TCP with 198.51.100.2. */
static struct scenario sip_tcp_phone(const char *addr, uint16_t port, uint32_t ct_id)
{
	static uint8_t new_priv[CTHD_PRIV_MAX];
	struct scenario sc = {
		.family = AF_INET, .client = { addr, port }, .server = { "198.51.100.2", 5060 },
		.client_nat = "203.0.113.1", .server_nat = "198.51.100.2",
		.dir = CTHD_DIR_ORIGINAL, .help_name = "sip-tcp", .queue_helper = "sip-tcp",
		.priv = new_priv, .priv_len = cthd_helper_find("sip-tcp")->priv_len, .ct_id = ct_id,
	};

	return sc;
}

/*
 * A dropped packet's NAT ports go back. One TCP segment carries a
 * re-REGISTER (a new Contact port: its reservation evicts the
 * registration's, signalling keeps one a master) and a message that
 * cannot be rewritten: the segment is dropped, and the kernel keeps the
 * registration's expectation. Were the eviction kept, another phone behind
 * the same SNAT would be told that port, and calls for it would reach the
 * first phone's expectation; were the new reservation kept, that port
 * would be refused to others for an hour for nothing.
 */
static void test_nat_ports_of_a_dropped_packet_go_back(struct tap *t)
{
	static char seg2[4096];
	struct scenario a = sip_tcp_phone("192.168.1.10", 40000, 1);
	struct scenario b = sip_tcp_phone("192.168.1.11", 40002, 2);
	struct scenario c3 = sip_tcp_phone("192.168.1.12", 40004, 3);
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;
	uint8_t priv[CTHD_PRIV_MAX];
	size_t n;

	memset(&scratch.natports, 0, sizeof(scratch.natports));
	memset(scratch.priv_cache, 0, sizeof(scratch.priv_cache));
	scratch.fixed_now = 1000;
	a.payload = TCP_REGISTER("1", "192.168.1.10:5060");
	p = run(&a, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_ACCEPT && p.n_exp == 1 && p.exp_dport == 5060 &&
		  p.help_info && p.help_info_len == a.priv_len,
		  "nat_book_registration_told_its_port", "verdict %u n_exp %u dport %u",
		  p.verdict, p.n_exp, p.exp_dport);
	if (!p.help_info)
		return;
	memcpy(priv, p.help_info, a.priv_len);

	n = (size_t)snprintf(seg2, sizeof(seg2), "%s%s", TCP_REGISTER("2", "192.168.1.10:5070"),
			     "OPTIONS sip:198.51.100.2 SIP/2.0\r\nCSeq: 3 OPTIONS\r\n"
			     "Contact: <sip:a@192.168.1.10>");
	for (unsigned int i = 0; i < SIP_CONTACT_MAX; i++)
		n += (size_t)snprintf(seg2 + n, sizeof(seg2) - n, ", <sip:c%u@192.0.2.1>", i);
	snprintf(seg2 + n, sizeof(seg2) - n, "\r\nContent-Length: 0\r\n\r\n");
	a.payload = seg2;
	a.priv = priv;
	a.seq = 1000 + (uint32_t)strlen(TCP_REGISTER("1", "192.168.1.10:5060"));
	p = run(&a, &c, &out);
	tap_check(t, p.ok && p.verdict == NF_DROP && !p.has_exp && !p.has_flush && !p.payload,
		  "nat_book_segment_with_an_unrewritable_message_dropped_whole",
		  "verdict %u exp %d flush %d payload %d", p.verdict, p.has_exp, p.has_flush,
		  p.payload != NULL);

	b.payload = TCP_REGISTER("1", "192.168.1.11:5070");
	p = run(&b, &c, &out);
	tap_check(t, p.ok && p.n_exp == 1 && p.exp_dport == 5070,
		  "nat_book_dropped_packets_reservation_taken_back", "told %u", p.exp_dport);
	c3.payload = TCP_REGISTER("1", "192.168.1.12:5060");
	p = run(&c3, &c, &out);
	tap_check(t, p.ok && p.n_exp == 1 && p.exp_dport == 5061,
		  "nat_book_dropped_packets_eviction_taken_back", "told %u (5060: the first "
		  "phone's, whose expectation the kernel keeps)", p.exp_dport);
}

/*
 * NFQA_EXP_FLUSH: with NFQA_CT (the kernel acts on the conntrack part
 * only when it is there), before the expectations, an ack asked for; on a
 * kernel without the attribute, not sent but counted.
 */
static void test_expect_flush(struct tap *t)
{
	static uint8_t buf[8192];
	static char msg[4096];
	struct scenario sc = {
		.family = AF_INET, .client = { "10.0.0.1", 40000 }, .server = { "10.0.0.2", 5060 },
		.client_nat = "10.0.0.1", .server_nat = "10.0.0.2", .dir = CTHD_DIR_ORIGINAL,
		.payload = "BYE sip:bob@10.0.0.2 SIP/2.0\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n",
		.help_name = "sip-tcp", .priv = zero_priv, .priv_len = sizeof(zero_priv),
	};
	struct cthd_expect exp = { .class = 1, .l4proto = IPPROTO_UDP };
	struct cthd_verdict_msg v = {
		.queue = 1, .packet_id = 7, .verdict = NF_ACCEPT, .helper_name = "sip",
		.exp = &exp, .n_exp = 1, .family = AF_INET, .exp_flush = 0xe,
	};
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct parsed_verdict p;
	struct nlmsghdr *nlh;

	nlh = build_queue_msg(msg, sizeof(msg), &sc);
	cthd_process_packet(nlh, cthd_helper_find("sip-tcp"), NULL, CTHD_EXPECT_MAX, &scratch, &c,
			    &out);
	p = parse_verdict(out.verdict);
	tap_check(t, p.ok && p.has_flush && p.flush == 0xe && p.help_name &&
		  !strcmp(p.help_name, "sip-tcp") && p.ack && !p.has_exp &&
		  c.expect_flushes == 1 && c.flushes_lost == 0,
		  "verdict_carries_the_flush_with_its_conntrack", "flush %d 0x%x ct '%s' ack %d "
		  "flushes %" PRIu64, p.has_flush, p.flush, p.help_name ? p.help_name : "",
		  p.ack, c.expect_flushes);

	scratch.no_exp_flush = true;
	nlh = build_queue_msg(msg, sizeof(msg), &sc);
	cthd_process_packet(nlh, cthd_helper_find("sip-tcp"), NULL, CTHD_EXPECT_MAX, &scratch, &c,
			    &out);
	scratch.no_exp_flush = false;
	p = parse_verdict(out.verdict);
	tap_check(t, p.ok && !p.has_flush && c.expect_flushes == 1 && c.flushes_lost == 1,
		  "verdict_on_a_kernel_without_flush_counts_it_lost", "flush %d lost %" PRIu64,
		  p.has_flush, c.flushes_lost);

	addr(AF_INET, "10.0.0.1", &exp.tuple.dst);
	exp.tuple.dport = 4000;
	exp.mask.dport = 0xffff;
	nlh = cthd_verdict_build(buf, sizeof(buf), &v);
	p = nlh ? parse_verdict(nlh) : (struct parsed_verdict){ 0 };
	tap_check(t, nlh && p.ok && p.has_flush && p.flush == 0xe && !p.flush_after_exp &&
		  p.n_exp == 1 && p.help_name,
		  "verdict_flush_goes_before_the_new_expectations", "flush %d after %d n_exp %u",
		  p.has_flush, p.flush_after_exp, p.n_exp);
	v.exp_flush = 0;
	nlh = cthd_verdict_build(buf, sizeof(buf), &v);
	p = nlh ? parse_verdict(nlh) : (struct parsed_verdict){ 0 };
	tap_check(t, nlh && p.ok && !p.has_flush, "verdict_without_flush_has_no_attribute",
		  "flush %d", p.has_flush);
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	if (argc == 3 && !strcmp(argv[1], "--write-seeds"))
		seed_dir = argv[2];

	make_line_start_priv();
	test_port_snat_ipv4(&t);
	test_two_expectations(&t);
	test_epsv_ipv6_dnat(&t);
	test_eprt_ipv6_snat(&t);
	test_plain_line(&t);
	test_stale_private_data(&t);
	test_nat_port_clash(&t);
	test_nat_ports_of_a_dropped_packet_go_back(&t);
	test_errors_accept(&t);
	test_nla_collect(&t);
	test_expect_flush(&t);
	test_stats_format(&t);
	test_expect_assigns_helper(&t);
	return tap_done(&t);
}
