// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The user-space cost of one queued packet, without the kernel: a NOOP
 * conversation ("NOOP\r\n" / "200 NOOP ok.\r\n", IPv4, no NAT) run through
 * cthd_process_packet() and cthd_queue_add(), with queue messages laid out
 * as nfnetlink_queue builds them for a forwarded packet (interfaces,
 * hardware address, the whole NFQA_CT of ctnetlink_glue_build). Each
 * message carries the private data of the previous verdict, as the kernel
 * would. Meant for `valgrind --tool=callgrind` (instructions per packet do
 * not depend on the machine's load); prints ns per packet, and how many
 * verdicts carried NFQA_CT.
 *
 * usage: bench_process [PACKETS]
 */
#include <arpa/inet.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../expect_nl.h"
#include "../process.h"
#include "../queue.h"

static struct cthd_scratch scratch;

static struct nlmsghdr *build(char *buf, uint32_t id, int reply, uint32_t seq,
			      const uint8_t *priv, size_t priv_len)
{
	static const char noop[] = "NOOP\r\n", ok[] = "200 NOOP ok.\r\n";
	const char *text = reply ? ok : noop;
	size_t tlen = strlen(text);
	union cthd_addr cli = { .ip = htonl(0x0a000101) }, srv = { .ip = htonl(0x0a000202) };
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl(id), .hw_protocol = htons(0x800),
					   .hook = NF_INET_POST_ROUTING };
	struct nfqnl_msg_packet_hw hw = { .hw_addrlen = htons(6) };
	uint8_t pkt[128] = { 0 };
	struct iphdr *ip = (struct iphdr *)pkt;
	struct tcphdr *th = (struct tcphdr *)(pkt + 20);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *ct, *n, *m;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->res_id = htons(0);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put_u32(nlh, NFQA_IFINDEX_INDEV, htonl(2));
	mnl_attr_put_u32(nlh, NFQA_IFINDEX_OUTDEV, htonl(3));
	mnl_attr_put(nlh, NFQA_HWADDR, sizeof(hw), &hw);

	ct = mnl_attr_nest_start(nlh, NFQA_CT);
	cthd_tuple_put(nlh, 4096, CTA_TUPLE_ORIG, AF_INET, IPPROTO_TCP, &cli, &srv, 40000, 21);
	cthd_tuple_put(nlh, 4096, CTA_TUPLE_REPLY, AF_INET, IPPROTO_TCP, &srv, &cli, 21, 40000);
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0x12345678));
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED |
						IPS_HELPER));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(431999));
	n = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	m = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, 3);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_REPLY, 7);
	mnl_attr_put_u16(nlh, CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, 0x2727);
	mnl_attr_put_u16(nlh, CTA_PROTOINFO_TCP_FLAGS_REPLY, 0x2727);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, "ftp");
	mnl_attr_put(nlh, CTA_HELP_INFO, priv_len, priv);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u32(nlh, CTA_MARK, 0);
	mnl_attr_put_u32(nlh, CTA_USE, htonl(1));
	mnl_attr_nest_end(nlh, ct);
	mnl_attr_put_u32(nlh, NFQA_CT_INFO, htonl(reply ? IP_CT_ESTABLISHED_REPLY :
							  IP_CT_ESTABLISHED));

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(40 + tlen));
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = reply ? srv.ip : cli.ip;
	ip->daddr = reply ? cli.ip : srv.ip;
	th->source = htons(reply ? 21 : 40000);
	th->dest = htons(reply ? 40000 : 21);
	th->seq = htonl(seq);
	th->doff = 5;
	th->ack = 1;
	th->psh = 1;
	memcpy(pkt + 40, text, tlen);
	mnl_attr_put(nlh, NFQA_PAYLOAD, 40 + tlen, pkt);
	return nlh;
}

/* CTA_HELP_INFO of a verdict, NULL when it carries no NFQA_CT */
static const struct nlattr *verdict_priv(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *b, *c;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFQA_CT)
			mnl_attr_for_each_nested(b, a)
				if (mnl_attr_get_type(b) == CTA_HELP)
					mnl_attr_for_each_nested(c, b)
						if (mnl_attr_get_type(c) == CTA_HELP_INFO)
							return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cthd_helper *h = cthd_helper_find("ftp");
	unsigned long packets = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000, with_ct = 0;
	static char buf[4096];
	struct cthd_counters c = { 0 };
	struct cthd_tx_batch tx;
	struct cthd_queue q = { 0 };
	uint8_t priv[CTHD_PRIV_MAX] = { 0 };
	uint32_t seq[2] = { 1000, 5000 };
	struct timespec t0, t1;

	if (!h || cthd_tx_batch_alloc(&tx, CTHD_TX_BATCH_SIZE) < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < packets; i++) {
		int reply = (int)(i & 1);
		struct nlmsghdr *nlh = build(buf, (uint32_t)i + 1, reply, seq[reply], priv,
					     h->priv_len);
		struct cthd_outcome out;
		const struct nlattr *p;
		unsigned int lost;

		seq[reply] += reply ? 14 : 6;
		cthd_process_packet(nlh, h, NULL, CTHD_EXPECT_MAX, &scratch, &c, &out);
		if (!out.verdict || out.error)
			return 1;
		p = verdict_priv(out.verdict);
		if (p) {
			memcpy(priv, mnl_attr_get_payload(p), h->priv_len);
			with_ct++;
		}
		/* the daemon's batching, without a socket to flush it to */
		if (tx.len + NLMSG_ALIGN(out.verdict->nlmsg_len) > tx.size)
			tx.len = tx.count = 0;
		cthd_queue_add(&q, &tx, out.verdict, &lost);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lu packets, %.0f ns per packet, %lu verdicts with NFQA_CT, %lu lost\n", packets,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	       (double)packets, with_ct, (unsigned long)c.lost);
	return 0;
}
