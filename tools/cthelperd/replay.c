// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cthelperd --replay: conntrack's part played from a capture, the helper's
 * part by the daemon's own code. For each packet this file does what the
 * kernel does before and after the helper: find or create the conntrack
 * (both tuples, NAT given on the command line), build the NFQNL_MSG_PACKET
 * with NFQA_CT (the private data the flow holds) and NFQA_CT_INFO, hand it
 * to cthd_process_packet(), and apply the verdict (private data kept,
 * expectations remembered and matched against the flows that follow).
 *
 * The capture must show the packets as the firewall receives them (for
 * NAT: `tcpdump -i any -Q in` on it): the helper sees them before any
 * rewrite or sequence adjustment of the firewall's own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "expect_nl.h"
#include "packet.h"
#include "process.h"
#include "replay.h"

#define REPLAY_QUEUE	0
#define EXPECTED_MAX	256
#define LINE_MAX_LEN	256

struct flow {
	int family;
	uint8_t l4proto;
	struct cthd_tuple tuple[2];
	uint32_t id;			/* 1, 2, ...: CTA_ID and the flow number shown */
	bool helped;
	bool seen_reply;
	bool closing;			/* a FIN or RST went by: a new SYN starts anew */
	uint8_t priv[CTHD_PRIV_MAX];	/* CTA_HELP_INFO as the kernel keeps it */
};

struct expectation {
	int family;
	struct cthd_expect exp;
	struct cthd_tuple master_tuple[2];
	uint32_t master;
	unsigned long packet;
	bool used;
	bool flushed;			/* removed by NFQA_EXP_FLUSH */
	char text[LINE_MAX_LEN];
};

struct replay {
	const struct cthd_replay_opts *opts;
	FILE *out, *err;
	struct cthd_scratch *scratch;
	struct cthd_counters counters;
	struct flow *flows;
	size_t n_flows, cap_flows;
	struct expectation *exps;
	size_t n_exps, cap_exps;
	unsigned long packets, helped_packets, skipped, malformed, helper_errors, related;
	char msgbuf[0x10000 + 4096];
	uint8_t cut_copy[0x10000];
};

/* --- command line ------------------------------------------------------- */

int cthd_replay_nat_parse(const char *text, struct cthd_replay_nat *nat)
{
	char buf[INET6_ADDRSTRLEN + 16];
	const char *port = NULL;
	char *addr = buf;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	memset(nat, 0, sizeof(*nat));
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -EINVAL;
		*close = '\0';
		addr = buf + 1;
		port = close[1] ? close + 2 : NULL;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		char *colon = strchr(buf, ':');

		*colon = '\0';
		port = colon + 1;
	}
	if (inet_pton(AF_INET, addr, &nat->addr) == 1)
		nat->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &nat->addr) == 1)
		nat->family = AF_INET6;
	else
		return -EINVAL;
	if (port) {
		char *end;
		unsigned long p = strtoul(port, &end, 10);

		if (!port[0] || *end || p == 0 || p > 65535)
			return -EINVAL;
		nat->port = (uint16_t)p;
	}
	return 0;
}

/* --- printing ------------------------------------------------------------ */

static void format_endpoint(char *buf, size_t size, int family, const union cthd_addr *a,
			    bool addr_any, uint16_t port, bool port_any)
{
	char addr[INET6_ADDRSTRLEN] = "*", portbuf[8] = "*";

	if (!addr_any)
		inet_ntop(family, a, addr, sizeof(addr));
	if (!port_any)
		snprintf(portbuf, sizeof(portbuf), "%u", port);
	snprintf(buf, size, family == AF_INET6 && !addr_any ? "[%s]:%s" : "%s:%s", addr, portbuf);
}

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

static const char *l4name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "l4";
}

/*
 * "tcp *:* > 10.0.1.1:40001 class 0[ nat reply 10.0.1.1:40001][ fn NAME]":
 * what --expected lists, one a line.
 */
static void format_expect(char *buf, size_t size, int family, const struct cthd_expect *e)
{
	char src[INET6_ADDRSTRLEN + 12], dst[INET6_ADDRSTRLEN + 12], nat[INET6_ADDRSTRLEN + 32] = "";
	size_t alen = family == AF_INET ? 4 : 16;

	format_endpoint(src, sizeof(src), family, &e->tuple.src, all_zero(&e->mask.src, alen),
			e->tuple.sport, e->mask.sport == 0);
	format_endpoint(dst, sizeof(dst), family, &e->tuple.dst, false, e->tuple.dport, false);
	if (e->nat) {
		char to[INET6_ADDRSTRLEN + 12];

		format_endpoint(to, sizeof(to), family, &e->nat_addr, false, e->nat_port, false);
		snprintf(nat, sizeof(nat), " nat %s %s",
			 e->nat_dir == CTHD_DIR_ORIGINAL ? "original" : "reply", to);
	}
	snprintf(buf, size, "%s %s > %s class %u%s%s%s%s%.*s", l4name(e->l4proto), src, dst,
		 e->class, nat, e->expectfn[0] ? " fn " : "", e->expectfn,
		 e->helper[0] ? " helper " : "", (int)sizeof(e->helper), e->helper);
}

static void print_text(FILE *out, const uint8_t *p, size_t len, size_t max)
{
	for (size_t i = 0; i < len && i < max; i++) {
		if (p[i] == '\r')
			fputs("\\r", out);
		else if (p[i] == '\n')
			fputs("\\n", out);
		else if (p[i] == '"' || p[i] == '\\')
			fprintf(out, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], out);
		else
			fprintf(out, "\\x%02x", p[i]);
	}
	if (len > max)
		fputs("...", out);
}

static void print_json_string(FILE *out, const uint8_t *p, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(out, "\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			fputc(p[i], out);
		else
			fprintf(out, "\\u%04x", p[i]);
	}
	fputc('"', out);
}

static void print_hex(FILE *out, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", p[i]);
}

/* --- link layers --------------------------------------------------------- */

/* Offset of the IP header in a frame, or -1 for a frame that holds none. */
static long ip_offset(int linktype, const uint8_t *f, size_t len)
{
	size_t off;
	uint16_t proto;

	switch (linktype) {
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		return len >= 4 ? 4 : -1;
	case DLT_EN10MB:
		if (len < 14)
			return -1;
		off = 12;
		proto = (uint16_t)(f[off] << 8 | f[off + 1]);
		while ((proto == 0x8100 || proto == 0x88a8) && len >= off + 6) {
			off += 4;
			proto = (uint16_t)(f[off] << 8 | f[off + 1]);
		}
		off += 2;
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		proto = (uint16_t)(f[14] << 8 | f[15]);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return -1;
		proto = (uint16_t)(f[0] << 8 | f[1]);
		off = 20;
		break;
	default:
		return -1;
	}
	return proto == 0x0800 || proto == 0x86dd ? (long)off : -1;
}

static bool linktype_supported(int linktype)
{
	switch (linktype) {
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
		return true;
	}
	return false;
}

/* --- conntrack's part ---------------------------------------------------- */

/* The packet's tuple, read from its headers. */
static void packet_tuple(const struct cthd_packet *pkt, struct cthd_tuple *t)
{
	const uint8_t *l4 = pkt->data + pkt->l4_offset;

	memset(t, 0, sizeof(*t));
	if (pkt->family == AF_INET) {
		memcpy(&t->src, pkt->data + 12, 4);
		memcpy(&t->dst, pkt->data + 16, 4);
	} else {
		memcpy(&t->src, pkt->data + 8, 16);
		memcpy(&t->dst, pkt->data + 24, 16);
	}
	t->sport = (uint16_t)(l4[0] << 8 | l4[1]);
	t->dport = (uint16_t)(l4[2] << 8 | l4[3]);
}

static bool tuple_eq(const struct cthd_tuple *a, const struct cthd_tuple *b)
{
	return !memcmp(&a->src, &b->src, sizeof(a->src)) && !memcmp(&a->dst, &b->dst, sizeof(a->dst)) &&
	       a->sport == b->sport && a->dport == b->dport;
}

static struct flow *flow_find(struct replay *r, int family, uint8_t l4proto,
			      const struct cthd_tuple *t, enum cthd_dir *dir)
{
	/* newest first: a flow started again on the same tuple wins */
	for (size_t i = r->n_flows; i-- > 0;) {
		struct flow *f = &r->flows[i];

		if (f->family != family || f->l4proto != l4proto)
			continue;
		for (int d = 0; d < 2; d++)
			if (tuple_eq(&f->tuple[d], t)) {
				*dir = (enum cthd_dir)d;
				return f;
			}
	}
	return NULL;
}

static struct flow *flow_new(struct replay *r, int family, uint8_t l4proto,
			     const struct cthd_tuple *orig)
{
	struct flow *f;

	if (r->n_flows == r->cap_flows) {
		size_t cap = r->cap_flows ? r->cap_flows * 2 : 64;
		struct flow *bigger = realloc(r->flows, cap * sizeof(*bigger));

		if (!bigger)
			return NULL;
		r->flows = bigger;
		r->cap_flows = cap;
	}
	f = &r->flows[r->n_flows++];
	memset(f, 0, sizeof(*f));
	f->family = family;
	f->l4proto = l4proto;
	f->id = (uint32_t)r->n_flows;
	f->tuple[CTHD_DIR_ORIGINAL] = *orig;
	f->tuple[CTHD_DIR_REPLY] = (struct cthd_tuple){
		.src = orig->dst, .dst = orig->src, .sport = orig->dport, .dport = orig->sport,
	};
	return f;
}

static const struct cthd_replay_nat *nat_for(const struct cthd_replay_nat *list, unsigned int n,
					     int family)
{
	for (unsigned int i = 0; i < n; i++)
		if (list[i].family == family)
			return &list[i];
	return NULL;
}

/* A helped flow's reply tuple under the command line's NAT. */
static void apply_nat(const struct replay *r, struct flow *f)
{
	const struct cthd_replay_nat *snat = nat_for(r->opts->snat, r->opts->n_snat, f->family);
	const struct cthd_replay_nat *dnat = nat_for(r->opts->dnat, r->opts->n_dnat, f->family);
	struct cthd_tuple *reply = &f->tuple[CTHD_DIR_REPLY];

	if (snat) {
		reply->dst = snat->addr;
		if (snat->port)
			reply->dport = snat->port;
	}
	if (dnat) {
		reply->src = dnat->addr;
		if (dnat->port)
			reply->sport = dnat->port;
	}
}

static bool expect_matches(const struct expectation *x, int family, uint8_t l4proto,
			   const struct cthd_tuple *t)
{
	const struct cthd_expect *e = &x->exp;

	if (x->used || x->flushed || x->family != family || e->l4proto != l4proto)
		return false;
	for (size_t i = 0; i < sizeof(t->src); i++)
		if ((t->src.bytes[i] ^ e->tuple.src.bytes[i]) & e->mask.src.bytes[i])
			return false;
	return !memcmp(&t->dst, &e->tuple.dst, sizeof(t->dst)) && t->dport == e->tuple.dport &&
	       !((t->sport ^ e->tuple.sport) & e->mask.sport);
}

/*
 * A new flow an expectation admits: the kernel's nf_nat_follow_master()
 * sends it on to the expectation's address and port, from the master's
 * address in that direction.
 */
static void related_nat(struct flow *f, const struct expectation *x)
{
	const struct cthd_expect *e = &x->exp;
	struct cthd_tuple *reply = &f->tuple[CTHD_DIR_REPLY];

	if (!e->nat)
		return;
	reply->src = e->nat_addr;
	reply->sport = e->nat_port;
	reply->dst = x->master_tuple[cthd_dir_other(e->nat_dir)].dst;
}

static int expectation_add(struct replay *r, const struct flow *master, const struct cthd_expect *e)
{
	struct expectation *x;

	if (r->n_exps == r->cap_exps) {
		size_t cap = r->cap_exps ? r->cap_exps * 2 : 64;
		struct expectation *bigger = realloc(r->exps, cap * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		r->exps = bigger;
		r->cap_exps = cap;
	}
	x = &r->exps[r->n_exps++];
	memset(x, 0, sizeof(*x));
	x->family = master->family;
	x->exp = *e;
	x->master = master->id;
	memcpy(x->master_tuple, master->tuple, sizeof(x->master_tuple));
	x->packet = r->packets;
	format_expect(x->text, sizeof(x->text), x->family, e);
	return 0;
}

/*
 * NFQA_EXP_FLUSH: the master's waiting expectations of those classes go
 * (a flow they already admitted stays). Returns how many.
 */
static unsigned int expectations_flush(struct replay *r, const struct flow *master, uint32_t mask)
{
	unsigned int removed = 0;

	for (size_t i = 0; i < r->n_exps; i++) {
		struct expectation *x = &r->exps[i];

		if (x->used || x->flushed || x->master != master->id || x->exp.class >= 32 ||
		    !(mask & (1u << x->exp.class)))
			continue;
		x->flushed = true;
		removed++;
	}
	return removed;
}

/* --- the kernel's queue message and its verdict -------------------------- */

static struct nlmsghdr *build_packet_msg(struct replay *r, const struct flow *f, enum cthd_dir dir,
					 const uint8_t *ip, size_t caplen, size_t len)
{
	size_t size = sizeof(r->msgbuf);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->msgbuf);
	struct nfqnl_msg_packet_hdr ph = { .packet_id = htonl((uint32_t)r->packets) };
	const struct cthd_tuple *o = &f->tuple[CTHD_DIR_ORIGINAL], *p = &f->tuple[CTHD_DIR_REPLY];
	uint32_t status = IPS_CONFIRMED | (f->seen_reply ? IPS_SEEN_REPLY : 0);
	uint32_t ctinfo;
	struct nfgenmsg *nfg;
	struct nlattr *ct, *help;

	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)f->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(REPLAY_QUEUE);
	mnl_attr_put(nlh, NFQA_PACKET_HDR, sizeof(ph), &ph);
	mnl_attr_put(nlh, NFQA_PAYLOAD, caplen, ip);
	ct = mnl_attr_nest_start(nlh, NFQA_CT);
	if (!cthd_tuple_put(nlh, size, CTA_TUPLE_ORIG, f->family, f->l4proto, &o->src, &o->dst,
			    o->sport, o->dport) ||
	    !cthd_tuple_put(nlh, size, CTA_TUPLE_REPLY, f->family, f->l4proto, &p->src, &p->dst,
			    p->sport, p->dport))
		return NULL;
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(f->id));
	help = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, r->opts->helper->name);
	if (r->opts->helper->priv_len)
		mnl_attr_put(nlh, CTA_HELP_INFO, r->opts->helper->priv_len, f->priv);
	mnl_attr_nest_end(nlh, help);
	mnl_attr_nest_end(nlh, ct);
	if (caplen < len)
		mnl_attr_put_u32(nlh, NFQA_CAP_LEN, htonl((uint32_t)len));
	if (dir == CTHD_DIR_REPLY)
		ctinfo = IP_CT_ESTABLISHED_REPLY;
	else
		ctinfo = f->seen_reply ? IP_CT_ESTABLISHED : IP_CT_NEW;
	mnl_attr_put_u32(nlh, NFQA_CT_INFO, htonl(ctinfo));
	return nlh;
}

struct verdict_seen {
	uint32_t verdict;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *priv;
	size_t priv_len;
	unsigned int n_exp;
	uint32_t exp_flush;		/* NFQA_EXP_FLUSH's class mask */
};

/* What the kernel reads from the verdict; the ctnetlink attribute layout. */
static int read_verdict(const struct nlmsghdr *nlh, struct verdict_seen *v)
{
	const struct nlattr *a, *b, *c;

	memset(v, 0, sizeof(*v));
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case NFQA_VERDICT_HDR: {
			const struct nfqnl_msg_verdict_hdr *vh = mnl_attr_get_payload(a);

			v->verdict = ntohl(vh->verdict);
			break;
		}
		case NFQA_PAYLOAD:
			v->payload = mnl_attr_get_payload(a);
			v->payload_len = mnl_attr_get_payload_len(a);
			break;
		case NFQA_CT:
			mnl_attr_for_each_nested(b, a) {
				if (mnl_attr_get_type(b) != CTA_HELP)
					continue;
				mnl_attr_for_each_nested(c, b)
					if (mnl_attr_get_type(c) == CTA_HELP_INFO) {
						v->priv = mnl_attr_get_payload(c);
						v->priv_len = mnl_attr_get_payload_len(c);
					}
			}
			break;
		case NFQA_EXP:
			v->n_exp++;
			break;
		case CTHD_NFQA_EXP_FLUSH:
			if (mnl_attr_get_payload_len(a) == sizeof(uint32_t))
				v->exp_flush = ntohl(mnl_attr_get_u32(a));
			break;
		}
	}
	return 0;
}

/* --- one packet ---------------------------------------------------------- */

static void print_packet_head(struct replay *r, const struct pcap_pkthdr *hdr,
			      const struct flow *f, enum cthd_dir dir, const struct cthd_packet *pkt,
			      const struct cthd_tuple *t)
{
	char src[INET6_ADDRSTRLEN + 12], dst[INET6_ADDRSTRLEN + 12];

	format_endpoint(src, sizeof(src), f->family, &t->src, false, t->sport, false);
	format_endpoint(dst, sizeof(dst), f->family, &t->dst, false, t->dport, false);
	if (r->opts->json) {
		fprintf(r->out, "{\"packet\":%lu,\"time\":%ld.%06ld,\"flow\":%u,\"dir\":\"%s\","
			"\"src\":\"%s\",\"dst\":\"%s\",\"payload_len\":%zu",
			r->packets, (long)hdr->ts.tv_sec, (long)hdr->ts.tv_usec, f->id,
			dir == CTHD_DIR_ORIGINAL ? "original" : "reply", src, dst, pkt->payload_len);
		if (pkt->l4proto == IPPROTO_TCP)
			fprintf(r->out, ",\"seq\":%u", pkt->tcp_seq);
		return;
	}
	fprintf(r->out, "%lu flow %u %s %s > %s", r->packets, f->id,
		dir == CTHD_DIR_ORIGINAL ? "original" : "reply", src, dst);
	if (pkt->l4proto == IPPROTO_TCP)
		fprintf(r->out, " seq %u", pkt->tcp_seq);
	fprintf(r->out, " len %zu", pkt->payload_len);
	if (pkt->payload_len) {
		fputs(" \"", r->out);
		print_text(r->out, pkt->payload, pkt->payload_len, 80);
		fputc('"', r->out);
	}
	fputc('\n', r->out);
}

static int run_helped(struct replay *r, const struct pcap_pkthdr *hdr, struct flow *f,
		      enum cthd_dir dir, const uint8_t *ip, size_t caplen, size_t len,
		      const struct cthd_packet *pkt, const struct cthd_tuple *t)
{
	const struct cthd_helper *h = r->opts->helper;
	struct cthd_outcome out;
	struct verdict_seen v;
	struct cthd_result *res = &r->scratch->result;
	struct nlmsghdr *msg = build_packet_msg(r, f, dir, ip, caplen, len);
	bool json = r->opts->json;

	if (!msg) {
		fprintf(r->err, "cthelperd: packet %lu: queue message does not fit\n", r->packets);
		return -EMSGSIZE;
	}
	r->helped_packets++;
	/* the NAT port table's clock: the capture's, so a replay repeats itself */
	r->scratch->fixed_now = (uint64_t)hdr->ts.tv_sec ? (uint64_t)hdr->ts.tv_sec : 1;
	cthd_process_packet(msg, h, r->opts->options, CTHD_EXPECT_MAX, r->scratch, &r->counters, &out);
	print_packet_head(r, hdr, f, dir, pkt, t);
	if (!out.verdict) {
		fprintf(r->err, "cthelperd: packet %lu: no verdict: %s\n", r->packets,
			out.error_what ? out.error_what : "?");
		return -EPROTO;
	}
	read_verdict(out.verdict, &v);
	if (out.error) {
		r->helper_errors++;
		if (json)
			fprintf(r->out, ",\"error\":\"%s: %s\"", out.error_what, strerror(-out.error));
		else
			fprintf(r->out, "  error: %s: %s\n", out.error_what, strerror(-out.error));
	}
	if (json)
		fprintf(r->out, ",\"verdict\":\"%s\"", v.verdict == 0 ? "drop" : "accept");
	else if (v.verdict == 0)
		fputs("  drop\n", r->out);

	/* as the kernel: the removal first, then the verdict's new expectations */
	if (v.exp_flush) {
		unsigned int removed = expectations_flush(r, f, v.exp_flush);

		if (json)
			fprintf(r->out, ",\"flush\":{\"classes\":%u,\"removed\":%u}", v.exp_flush,
				removed);
		else
			fprintf(r->out, "  flush classes 0x%x: %u expectation(s) removed\n", v.exp_flush,
				removed);
	}
	if (json)
		fputs(",\"expectations\":[", r->out);
	for (unsigned int i = 0; !out.error && i < res->n_expect; i++) {
		int err = expectation_add(r, f, &res->expect[i]);

		if (err)
			return err;
		if (json) {
			fprintf(r->out, "%s\"%s\"", i ? "," : "", r->exps[r->n_exps - 1].text);
		} else {
			fprintf(r->out, "  expect %s\n", r->exps[r->n_exps - 1].text);
		}
	}
	if (json)
		fputs("],\"rewrites\":[", r->out);
	for (unsigned int i = 0; v.payload && i < res->n_mangle; i++) {
		const struct cthd_mangle *m = &res->mangle[i];

		if (json) {
			fprintf(r->out, "%s{\"offset\":%zu,\"len\":%zu,\"old\":", i ? "," : "",
				m->offset, m->len);
			print_json_string(r->out, pkt->payload + m->offset, m->len);
			fputs(",\"new\":", r->out);
			print_json_string(r->out, m->data, m->data_len);
			fputc('}', r->out);
		} else {
			fprintf(r->out, "  rewrite at %zu: \"", m->offset);
			print_text(r->out, pkt->payload + m->offset, m->len, 200);
			fputs("\" -> \"", r->out);
			print_text(r->out, m->data, m->data_len, 200);
			fputs("\"\n", r->out);
		}
	}
	if (json)
		fputc(']', r->out);
	/* the kernel keeps what the verdict carried: that is the flow's state now */
	if (v.priv && v.priv_len == h->priv_len && memcmp(f->priv, v.priv, v.priv_len)) {
		memcpy(f->priv, v.priv, v.priv_len);
		if (json) {
			fputs(",\"private\":\"", r->out);
			print_hex(r->out, f->priv, h->priv_len);
			fputc('"', r->out);
		} else {
			fputs("  private ", r->out);
			print_hex(r->out, f->priv, h->priv_len);
			fputc('\n', r->out);
		}
	}
	if (json)
		fputs("}\n", r->out);
	return 0;
}

static void print_related(struct replay *r, const struct flow *f, const struct expectation *x)
{
	char src[INET6_ADDRSTRLEN + 12], dst[INET6_ADDRSTRLEN + 12];
	const struct cthd_tuple *t = &f->tuple[CTHD_DIR_ORIGINAL];

	format_endpoint(src, sizeof(src), f->family, &t->src, false, t->sport, false);
	format_endpoint(dst, sizeof(dst), f->family, &t->dst, false, t->dport, false);
	if (r->opts->json)
		fprintf(r->out, "{\"packet\":%lu,\"flow\":%u,\"src\":\"%s\",\"dst\":\"%s\","
			"\"related\":{\"master\":%u,\"expectation\":\"%s\"}}\n",
			r->packets, f->id, src, dst, x->master, x->text);
	else
		fprintf(r->out, "%lu flow %u %s > %s related to flow %u by expect %s\n",
			r->packets, f->id, src, dst, x->master, x->text);
}

static void note(struct replay *r, const char *what)
{
	fprintf(r->err, "cthelperd: %s: packet %lu: %s\n", r->opts->capture, r->packets, what);
}

static int one_packet(struct replay *r, int linktype, const struct pcap_pkthdr *hdr,
		      const uint8_t *frame)
{
	const struct cthd_helper *h = r->opts->helper;
	long off = ip_offset(linktype, frame, hdr->caplen);
	struct cthd_packet pkt = { 0 };
	struct cthd_tuple t;
	enum cthd_dir dir = CTHD_DIR_ORIGINAL;
	const uint8_t *ip;
	size_t caplen, len;
	struct flow *f;
	int err;

	if (off < 0) {
		r->skipped++;		/* ARP, LLDP, ...: nothing for conntrack */
		return 0;
	}
	ip = frame + off;
	caplen = hdr->caplen - (size_t)off;
	len = hdr->len > (size_t)off ? hdr->len - (size_t)off : caplen;
	if (caplen < len) {
		/*
		 * Cut by the capture's snap length: the tuple comes from a copy
		 * that claims no more than was captured; the helper gets the
		 * cut packet with its real length, as the kernel would send a
		 * copy beyond the queue's copy range.
		 */
		uint8_t *copy = r->cut_copy;

		if (caplen > sizeof(r->cut_copy))
			caplen = sizeof(r->cut_copy);
		memcpy(copy, ip, caplen);
		if (caplen >= 20 && (copy[0] >> 4) == 4) {
			copy[2] = (uint8_t)(caplen >> 8);
			copy[3] = (uint8_t)caplen;
		} else if (caplen >= 40 && (copy[0] >> 4) == 6) {
			copy[4] = (uint8_t)((caplen - 40) >> 8);
			copy[5] = (uint8_t)(caplen - 40);
		}
		err = cthd_packet_parse(copy, caplen, &pkt);
	} else {
		err = cthd_packet_parse(ip, caplen, &pkt);
	}
	if (err == -EPROTONOSUPPORT) {
		r->skipped++;		/* ICMP, a later fragment: not for helpers */
		return 0;
	}
	if (err || (pkt.l4proto == IPPROTO_TCP && pkt.payload_offset - pkt.l4_offset < 20) ||
	    (pkt.l4proto == IPPROTO_UDP && pkt.payload_offset - pkt.l4_offset < 8)) {
		r->malformed++;
		note(r, "malformed IP packet, skipped");
		return 0;
	}
	packet_tuple(&pkt, &t);
	f = flow_find(r, pkt.family, pkt.l4proto, &t, &dir);
	if (f && f->closing && pkt.l4proto == IPPROTO_TCP) {
		const uint8_t flags = pkt.data[pkt.l4_offset + 13];

		if ((flags & 0x02) && !(flags & 0x10))	/* SYN without ACK */
			f = NULL;
	}
	if (!f) {
		struct expectation *x = NULL;

		dir = CTHD_DIR_ORIGINAL;
		for (size_t i = 0; i < r->n_exps && !x; i++)
			if (expect_matches(&r->exps[i], pkt.family, pkt.l4proto, &t))
				x = &r->exps[i];
		f = flow_new(r, pkt.family, pkt.l4proto, &t);
		if (!f)
			return -ENOMEM;
		if (x) {
			if (!(x->exp.flags & 1))	/* NF_CT_EXPECT_PERMANENT */
				x->used = true;
			related_nat(f, x);
			/* helped only when the expectation assigns this helper */
			f->helped = !strcmp(x->exp.helper, h->name);
			r->related++;
			print_related(r, f, x);
		} else if (pkt.l4proto == h->l4proto && t.dport == r->opts->port) {
			f->helped = true;
			apply_nat(r, f);
		}
	}
	if (dir == CTHD_DIR_REPLY)
		f->seen_reply = true;
	if (pkt.l4proto == IPPROTO_TCP && (pkt.data[pkt.l4_offset + 13] & 0x05))
		f->closing = true;	/* FIN or RST */
	if (!f->helped)
		return 0;
	/* ctinfo for the reply that sets SEEN_REPLY is already established */
	return run_helped(r, hdr, f, dir, ip, caplen, len, &pkt, &t);
}

/* --- expected expectations ----------------------------------------------- */

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* 0 when they match, 1 when not, 2 when the list cannot be read. */
static int compare_expected(struct replay *r)
{
	static char want[EXPECTED_MAX][LINE_MAX_LEN];
	bool found[EXPECTED_MAX] = { false };
	char line[LINE_MAX_LEN + 2];
	unsigned int n = 0, lineno = 0;
	int rc = 0;
	FILE *fp = fopen(r->opts->expected, "r");

	if (!fp) {
		fprintf(r->err, "cthelperd: %s: %s\n", r->opts->expected, strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *s;

		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			fprintf(r->err, "cthelperd: %s: line %u: longer than %d characters\n",
				r->opts->expected, lineno, LINE_MAX_LEN);
			fclose(fp);
			return 2;
		}
		s = trim(line);
		if (!*s || *s == '#')
			continue;
		if (n == EXPECTED_MAX) {
			fprintf(r->err, "cthelperd: %s: more than %d expectations\n",
				r->opts->expected, EXPECTED_MAX);
			fclose(fp);
			return 2;
		}
		snprintf(want[n++], LINE_MAX_LEN, "%s", s);
	}
	fclose(fp);
	/* the same multiset, in any order */
	for (size_t i = 0; i < r->n_exps; i++) {
		unsigned int j;

		for (j = 0; j < n; j++)
			if (!found[j] && !strcmp(want[j], r->exps[i].text))
				break;
		if (j < n) {
			found[j] = true;
		} else {
			fprintf(r->err, "cthelperd: unexpected expectation (packet %lu): %s\n",
				r->exps[i].packet, r->exps[i].text);
			rc = 1;
		}
	}
	for (unsigned int j = 0; j < n; j++)
		if (!found[j]) {
			fprintf(r->err, "cthelperd: missing expectation: %s\n", want[j]);
			rc = 1;
		}
	return rc;
}

/* --- the capture --------------------------------------------------------- */

int cthd_replay(const struct cthd_replay_opts *opts, FILE *out, FILE *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const uint8_t *frame;
	struct replay *r;
	int linktype, rc = 0, n;
	pcap_t *pc;

	pc = pcap_open_offline(opts->capture, errbuf);
	if (!pc) {
		fprintf(err, "cthelperd: %s: %s\n", opts->capture, errbuf);
		return 2;
	}
	linktype = pcap_datalink(pc);
	if (!linktype_supported(linktype)) {
		fprintf(err, "cthelperd: %s: link type %s (%d) not supported: capture IP, Ethernet or "
			"Linux cooked frames (tcpdump -i any)\n", opts->capture,
			pcap_datalink_val_to_name(linktype) ? pcap_datalink_val_to_name(linktype) : "?",
			linktype);
		pcap_close(pc);
		return 2;
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->scratch = calloc(1, sizeof(*r->scratch));
	if (!r || !r->scratch) {
		fprintf(err, "cthelperd: %s\n", strerror(ENOMEM));
		free(r);
		pcap_close(pc);
		return 2;
	}
	r->opts = opts;
	r->out = out;
	r->err = err;

	while ((n = pcap_next_ex(pc, &hdr, &frame)) == 1) {
		r->packets++;
		if (one_packet(r, linktype, hdr, frame) < 0) {
			fprintf(err, "cthelperd: %s: packet %lu: %s\n", opts->capture, r->packets,
				strerror(ENOMEM));
			rc = 2;
			break;
		}
	}
	if (n == PCAP_ERROR) {
		/* a truncated file or a broken record: say where */
		fprintf(err, "cthelperd: %s: after packet %lu: %s\n", opts->capture, r->packets,
			pcap_geterr(pc));
		rc = 2;
	}
	if (opts->json)
		fprintf(out, "{\"summary\":{\"packets\":%lu,\"helped\":%lu,\"flows\":%zu,"
			"\"expectations\":%zu,\"related\":%lu,\"rewritten\":%" PRIu64 ",\"dropped\":%" PRIu64 ","
			"\"helper_errors\":%lu,\"malformed\":%lu,\"parse_errors\":%" PRIu64 ",\"lost\":%" PRIu64 "}}\n",
			r->packets, r->helped_packets, r->n_flows, r->n_exps, r->related,
			r->counters.mangled, r->counters.dropped, r->helper_errors, r->malformed,
			r->counters.parse_errors, r->counters.lost);
	else
		fprintf(out, "# %lu packets, %lu helped, %zu flows, %zu expectations, %lu related "
			"flows, %" PRIu64 " rewritten, %" PRIu64 " dropped, %lu helper errors, "
			"%lu malformed, %" PRIu64 " refused messages, %" PRIu64 " lost\n",
			r->packets, r->helped_packets, r->n_flows, r->n_exps, r->related,
			r->counters.mangled, r->counters.dropped, r->helper_errors, r->malformed,
			r->counters.parse_errors, r->counters.lost);
	if (!rc && r->helper_errors)
		rc = 1;
	if (rc != 2 && opts->expected) {
		int cmp = compare_expected(r);

		if (cmp > rc)
			rc = cmp;
	}
	pcap_close(pc);
	free(r->flows);
	free(r->exps);
	free(r->scratch);
	free(r);
	return rc;
}
