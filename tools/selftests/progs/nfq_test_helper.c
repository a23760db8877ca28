// SPDX-License-Identifier: GPL-2.0
/* A minimal user-space conntrack helper for the selftests. It drives the
 * kernel paths conntrackd cannot: IPv6, expectations with a NAT binding and
 * the nat-follow-master function, payload mangling of a different length,
 * private data round trips, expectation classes, malformed verdicts.
 *
 * It registers (NFNL_SUBSYS_CTHELPER) and enables helper NAME for IPv4 and
 * IPv6 TCP on QUEUE, binds the queue with NFQA_CFG_F_CONNTRACK and answers
 * every packet with one verdict. It understands the FTP lines that announce
 * a data connection: PORT and EPRT from the client, 227 (PASV) and 229
 * (EPSV) replies from the server.
 *
 * usage: nfq_test_helper [options]
 *   -q QUEUE   queue number (0)
 *   -n NAME    helper name (ftp)
 *   -c N       expectation classes of the helper (1), -m MAX expected (1)
 *   -C CLASS   class of the expectations it creates (0)
 *   -p LEN     private data length (0); with LEN >= 4 the first 4 bytes
 *              count the packets of the connection, checked on each packet
 *   -N         NAT: rewrite the address in the payload to the one the peer
 *              sees, expectation with CTA_EXPECT_NAT and nat-follow-master
 *   -M         mangle: make 227/229 replies longer even without NAT
 *   -E HELPER  the related connection gets HELPER (CTA_EXPECT_HELP_NAME)
 *   -P PORT    no FTP: expect client -> server:PORT on the first packet
 *              with payload of each connection
 *   -X N       with -P: N expectations in that one verdict, for PORT,
 *              PORT + 1, ... (N NFQA_EXP attributes)
 *   -B         malformed verdicts on the first packets (TAP lines), then
 *              a valid one; needs -P
 *   -F         register the helper fail-closed (NFCTH_F_FAIL_CLOSED)
 *   -S         register it with NFCTH_F_ALL_SEGMENTS: TCP segments without
 *              payload are queued too (counted as "empty" in the summary)
 *   -R         do not register the helper (the test did, e.g. with nfct)
 *   -U         least privilege: bind the queue opting in to unprivileged
 *              verdicts (NFQA_CFG_F_UNPRIV_VERDICT), drop to uid 65534 with
 *              no capability, then send on the first packets the verdicts
 *              only CAP_NET_ADMIN may give (TAP lines: each refused with
 *              EPERM, the packet not lost), then help as usual; needs -P.
 *              Without privilege it cannot list expectations: the test
 *              counts them (conntrack -E expect)
 *   -u         like -U without opting in: a plain verdict must be refused
 *              (EPERM); the packets then stay queued
 *   -A SUBSYS  with -U or -u: after dropping privileges, a message to
 *              nfnetlink subsystem SUBSYS must be refused (EPERM) before
 *              the kernel tries to load its module
 *   -L         with -P: each packet with payload is a line of commands,
 *              put into its verdict in the order given (with -U: no
 *              refused verdicts first, only the privileges dropped):
 *                expect CLASS PORT  NFQA_EXP client -> server:PORT
 *                flush MASK         NFQA_EXP_FLUSH MASK (strtoul base 0)
 *                noct               no NFQA_CT in the verdict
 *                batchflush MASK    first a batch verdict up to this
 *                                   packet with NFQA_EXP_FLUSH MASK
 *              and logs "line ct ID [LINE]: RESULT" (the acknowledgment);
 *              its expectations time out after 300 s, not 30
 *
 * Logs one line per event on stdout. On SIGTERM prints a summary and exits
 * 1 if a private data check failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>

#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_cthelper.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <libnetfilter_queue/libnetfilter_queue_ipv4.h>
#include <libnetfilter_queue/libnetfilter_queue_ipv6.h>
#include <libnetfilter_queue/libnetfilter_queue_tcp.h>
#include <libnetfilter_queue/pktbuff.h>

#include "cthelper_nl.h"

static struct {
	uint16_t queue;
	const char *name;
	uint32_t classes, max_expected, class, priv_len;
	bool nat, mangle, bad, fail_closed, no_register, all_segments;
	bool unpriv, unpriv_no_optin, lines;
	int autoload_subsys;
	const char *exp_helper;
	uint16_t toy_port;
	unsigned int toy_count;
} opt = {
	.name = "ftp", .classes = 1, .max_expected = 1, .toy_count = 1,
	.autoload_subsys = -1,
};

/* Only in our series, so not in the distribution's uapi headers. */
#ifndef NFQA_CFG_F_UNPRIV_VERDICT
#define NFQA_CFG_F_UNPRIV_VERDICT (1 << 5)
#endif
/* Since Linux 6.5; the build host's uapi headers may be older. */
#define NFQA_PRIORITY_ 21
/* Only in our series: expectation classes of the packet's conntrack to
 * remove (__be32 mask).
 */
#define NFQA_EXP_FLUSH_ 23

static struct mnl_socket *nl;
static volatile sig_atomic_t stop;

static struct {
	unsigned int packets, empty, expectations, exp_errors, mangled;
	unsigned int priv_exact, priv_stale, priv_bad;
} stats;

/* Conntrack directions (nf_conntrack_tuple_common.h is not uapi-clean). */
enum { DIR_ORIGINAL, DIR_REPLY };

/* What the program knows of the conntrack of a queued packet. */
struct addr {
	uint32_t ip[4];		/* IPv4 in ip[0] */
};

struct tuple {
	struct addr src, dst;
	uint16_t sport, dport;	/* network order */
};

struct ct {
	uint32_t id;
	uint16_t l3num;
	int dir;		/* of the packet: DIR_* */
	struct tuple t[2];
	const uint8_t *info;	/* CTA_HELP_INFO */
	int info_len;
};

/* Per connection: what we wrote last and how many verdicts it had. */
#define MAX_CONNS 256
static struct conn {
	uint32_t id;
	bool used, expected;
	uint32_t written;	/* private data counter, 0: never */
	unsigned int bad_done, unpriv_done;
} conns[MAX_CONNS];

static struct conn *conn_get(uint32_t id)
{
	struct conn *free_slot = NULL;

	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i].used && conns[i].id == id)
			return &conns[i];
		if (!conns[i].used && !free_slot)
			free_slot = &conns[i];
	}
	if (!free_slot)		/* forget the oldest: tests are small */
		free_slot = &conns[id % MAX_CONNS];
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->id = id;
	return free_slot;
}

static int tap_n, tap_failed;

static void tap(bool pass, const char *fmt, const char *what, int err)
{
	tap_n++;
	tap_failed += !pass;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	printf(fmt, what, err ? strerror(err) : "accepted");
	printf("\n");
	fflush(stdout);
}

/* ---- parsing NFQA_CT ---- */

static int collect_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= CTA_MAX)	/* CTA_MAX is the largest of our nests */
		tb[type] = attr;
	return MNL_CB_OK;
}

static void parse_tuple(const struct nlattr *nest, struct tuple *t)
{
	const struct nlattr *tb[CTA_MAX + 1] = {}, *ip[CTA_MAX + 1] = {},
			    *proto[CTA_MAX + 1] = {};

	mnl_attr_parse_nested(nest, collect_cb, tb);
	if (tb[CTA_TUPLE_IP])
		mnl_attr_parse_nested(tb[CTA_TUPLE_IP], collect_cb, ip);
	if (tb[CTA_TUPLE_PROTO])
		mnl_attr_parse_nested(tb[CTA_TUPLE_PROTO], collect_cb, proto);
	if (ip[CTA_IP_V4_SRC])
		memcpy(t->src.ip, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), 4);
	if (ip[CTA_IP_V4_DST])
		memcpy(t->dst.ip, mnl_attr_get_payload(ip[CTA_IP_V4_DST]), 4);
	if (ip[CTA_IP_V6_SRC])
		memcpy(t->src.ip, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
	if (ip[CTA_IP_V6_DST])
		memcpy(t->dst.ip, mnl_attr_get_payload(ip[CTA_IP_V6_DST]), 16);
	if (proto[CTA_PROTO_SRC_PORT])
		t->sport = mnl_attr_get_u16(proto[CTA_PROTO_SRC_PORT]);
	if (proto[CTA_PROTO_DST_PORT])
		t->dport = mnl_attr_get_u16(proto[CTA_PROTO_DST_PORT]);
}

static int parse_ct(const struct nlattr *nest, uint32_t ctinfo, struct ct *ct)
{
	const struct nlattr *tb[CTA_MAX + 1] = {}, *help[CTA_MAX + 1] = {};

	if (mnl_attr_parse_nested(nest, collect_cb, tb) < 0 ||
	    !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY] || !tb[CTA_ID])
		return -1;
	parse_tuple(tb[CTA_TUPLE_ORIG], &ct->t[DIR_ORIGINAL]);
	parse_tuple(tb[CTA_TUPLE_REPLY], &ct->t[DIR_REPLY]);
	ct->id = ntohl(mnl_attr_get_u32(tb[CTA_ID]));
	ct->dir = ctinfo >= IP_CT_IS_REPLY ? DIR_REPLY :
					     DIR_ORIGINAL;
	if (tb[CTA_HELP]) {
		mnl_attr_parse_nested(tb[CTA_HELP], collect_cb, help);
		if (help[CTA_HELP_INFO]) {
			ct->info = mnl_attr_get_payload(help[CTA_HELP_INFO]);
			ct->info_len = mnl_attr_get_payload_len(help[CTA_HELP_INFO]);
		}
	}
	return 0;
}

/* ---- building NFQA_CT and NFQA_EXP ---- */

static void put_tuple(struct nlmsghdr *nlh, int type, uint16_t l3num,
		      const struct tuple *t)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (l3num == AF_INET) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, t->src.ip);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, t->dst.ip);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, t->src.ip);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, t->dst.ip);
	}
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, t->sport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, t->dport);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, nest);
}

/* The data connection is expected from wherever the peer of this packet
 * is to where the peer sends to (both as the conntrack of the reverse
 * direction sees them), on the announced port; any source port.
 */
static void put_expect(struct nlmsghdr *nlh, const struct ct *ct,
		       const struct addr *announced, uint16_t port,
		       uint32_t class)
{
	const struct tuple *rev = &ct->t[!ct->dir];
	struct tuple exp = { rev->src, rev->dst, 0, port };
	struct tuple mask, nat = { *announced, rev->dst, port, 0 };
	struct nlattr *nest, *n;

	memset(&mask, 0xff, sizeof(mask));
	mask.sport = 0;

	nest = mnl_attr_nest_start(nlh, NFQA_EXP);
	put_tuple(nlh, CTA_EXPECT_MASTER, ct->l3num, &ct->t[DIR_ORIGINAL]);
	put_tuple(nlh, CTA_EXPECT_TUPLE, ct->l3num, &exp);
	put_tuple(nlh, CTA_EXPECT_MASK, ct->l3num, &mask);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(30));
	mnl_attr_put_u32(nlh, CTA_EXPECT_CLASS, htonl(class));
	if (opt.exp_helper)
		mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME, opt.exp_helper);
	if (opt.nat) {
		/* nat-follow-master maps the related connection like its
		 * master, to the announced port (the NAT tuple's source).
		 */
		n = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
		mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(!ct->dir));
		put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, ct->l3num, &nat);
		mnl_attr_nest_end(nlh, n);
		mnl_attr_put_strz(nlh, CTA_EXPECT_FN, "nat-follow-master");
	}
	mnl_attr_nest_end(nlh, nest);
}

/* NFQA_CT, with new private data if len; empty otherwise (the kernel
 * looks at NFQA_EXP only next to NFQA_CT).
 */
static void put_help(struct nlmsghdr *nlh, const void *info, int len)
{
	struct nlattr *ctn = mnl_attr_nest_start(nlh, NFQA_CT), *help;

	if (len) {
		help = mnl_attr_nest_start(nlh, CTA_HELP);
		mnl_attr_put_strz(nlh, CTA_HELP_NAME, opt.name);
		mnl_attr_put(nlh, CTA_HELP_INFO, len, info);
		mnl_attr_nest_end(nlh, help);
	}
	mnl_attr_nest_end(nlh, ctn);
}

/* ---- FTP ---- */

struct announce {
	bool found;
	struct addr addr;
	uint16_t port;			/* network order */
	unsigned int addr_off, addr_len; /* of the address text, if any */
	unsigned int text_off;		/* where -M inserts, 0: nowhere */
};

/* "a,b,c,d,p1,p2" at s: address and port. */
static bool parse_6nums(const char *s, const char *line, struct announce *a)
{
	unsigned int n[6];
	int end, addr_end = 0;

	if (sscanf(s, "%u,%u,%u,%u,%n%u,%u%n", &n[0], &n[1], &n[2], &n[3],
		   &addr_end, &n[4], &n[5], &end) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		if (n[i] > 255)
			return false;
	a->addr.ip[0] = htonl(n[0] << 24 | n[1] << 16 | n[2] << 8 | n[3]);
	a->port = htons(n[4] << 8 | n[5]);
	a->addr_off = s - line;
	a->addr_len = addr_end - 1;
	a->found = true;
	return true;
}

/* "EPRT |af|addr|port|" */
static bool parse_eprt(const char *line, struct announce *a)
{
	char d = line[5], addr[64];
	const char *p = line + 6, *q;
	int af;
	unsigned int port;

	if (sscanf(p, "%d", &af) != 1 || !(p = strchr(p, d)))
		return false;
	q = strchr(++p, d);
	if (!q || q - p >= (int)sizeof(addr))
		return false;
	memcpy(addr, p, q - p);
	addr[q - p] = 0;
	if (inet_pton(af == 2 ? AF_INET6 : AF_INET, addr, a->addr.ip) != 1 ||
	    sscanf(q + 1, "%u", &port) != 1 || port > 65535)
		return false;
	a->port = htons(port);
	a->addr_off = p - line;
	a->addr_len = q - p;
	a->found = true;
	return true;
}

static void parse_ftp(const char *line, int dir, struct announce *a)
{
	const char *p;
	unsigned int port;

	memset(a, 0, sizeof(*a));
	if (dir == DIR_ORIGINAL) {
		if (!strncasecmp(line, "PORT ", 5))
			parse_6nums(line + 5, line, a);
		else if (!strncasecmp(line, "EPRT ", 5))
			parse_eprt(line, a);
		return;
	}
	if (!strncmp(line, "227 ", 4)) {
		for (p = line + 4; *p && !a->found; p++)
			if (*p >= '0' && *p <= '9' && parse_6nums(p, line, a))
				break;
	} else if (!strncmp(line, "229 ", 4) && (p = strstr(line, "(|||")) &&
		   sscanf(p + 4, "%u", &port) == 1 && port <= 65535) {
		a->port = htons(port);
		a->found = true;	/* no address: the server's own */
	}
	if (a->found && (p = strchr(line, '(')) && p > line + 4)
		a->text_off = p - line - 1;
}

/* The announced address as the peer must see it, in the announcement's
 * syntax (a,b,c,d or EPRT's text form).
 */
static int format_addr(const struct ct *ct, const char *line,
		       char *out, size_t size)
{
	const struct addr *a = &ct->t[!ct->dir].dst;
	uint32_t ip = ntohl(a->ip[0]);

	if (line[0] == 'E' || line[0] == 'e')
		return inet_ntop(ct->l3num, a->ip, out, size) ? (int)strlen(out) : -1;
	return snprintf(out, size, "%u,%u,%u,%u", ip >> 24, ip >> 16 & 255,
			ip >> 8 & 255, ip & 255);
}

/* ---- packets ---- */

struct verdict {
	char buf[8192];
	struct nlmsghdr *nlh;
};

static int mangle(struct pkt_buff *pkt, uint16_t l3num, unsigned int off,
		  unsigned int len, const char *rep, unsigned int rep_len)
{
	if (l3num == AF_INET)
		return nfq_tcp_mangle_ipv4(pkt, off, len, rep, rep_len);
	return nfq_tcp_mangle_ipv6(pkt, off, len, rep, rep_len);
}

/* Returns the TCP payload of pkt, NULL when there is none. */
static bool ip6_tcp_or_ext(uint8_t nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_TCP:
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
		return true;
	}
	return false;
}

static char *tcp_payload(struct pkt_buff *pkt, uint16_t l3num,
			 unsigned int *len)
{
	struct tcphdr *tcph;

	if (l3num == AF_INET) {
		struct iphdr *iph = nfq_ip_get_hdr(pkt);

		if (!iph || nfq_ip_set_transport_header(pkt, iph) < 0)
			return NULL;
	} else {
		struct ip6_hdr *ip6h = nfq_ip6_get_hdr(pkt);

		/* libnetfilter_queue 1.0.5 loops for ever looking for TCP
		 * behind UDP: look only behind TCP or extension headers.
		 */
		if (!ip6h || !ip6_tcp_or_ext(ip6h->ip6_nxt) ||
		    nfq_ip6_set_transport_header(pkt, ip6h, IPPROTO_TCP) < 0)
			return NULL;
	}
	tcph = nfq_tcp_get_hdr(pkt);
	if (!tcph)
		return NULL;
	*len = nfq_tcp_get_payload_len(tcph, pkt);
	return *len ? nfq_tcp_get_payload(tcph, pkt) : NULL;
}

/* FTP (or -P): fills the expectation and mangles the payload. */
static void help_packet(struct verdict *v, const struct ct *ct,
			struct pkt_buff *pkt, struct conn *conn)
{
	static const char tag[] = ", rewritten by nfq_test_helper";
	char line[512], rep[64], addr[64];
	struct announce a;
	unsigned int len;
	char *payload = tcp_payload(pkt, ct->l3num, &len);
	int rep_len;

	if (!payload) {
		stats.empty++;
		return;
	}
	if (opt.toy_port) {
		if (conn->expected)
			return;
		/* Always client -> server: as if announced by the server. */
		struct ct reply = *ct;

		reply.dir = DIR_REPLY;
		conn->expected = true;
		memset(&a, 0, sizeof(a));
		a.addr = ct->t[DIR_REPLY].src;
		inet_ntop(ct->l3num, ct->t[DIR_ORIGINAL].dst.ip, addr,
			  sizeof(addr));
		for (unsigned int i = 0; i < opt.toy_count; i++) {
			a.port = htons(opt.toy_port + i);
			put_expect(v->nlh, &reply, &a.addr, a.port, opt.class);
			printf("expect %s port %u class %u\n", addr,
			       opt.toy_port + i, opt.class);
			stats.expectations++;
		}
		return;
	}

	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, payload, len);
	line[len] = 0;
	parse_ftp(line, ct->dir, &a);
	if (!a.found)
		return;

	put_expect(v->nlh, ct, &a.addr, a.port, opt.class);
	inet_ntop(ct->l3num, ct->t[!ct->dir].dst.ip, addr, sizeof(addr));
	printf("expect %s port %u class %u%s\n", addr, ntohs(a.port),
	       opt.class, opt.nat ? " nat" : "");
	stats.expectations++;

	/* From the end of the line backwards so offsets stay valid. */
	rep_len = format_addr(ct, line, rep, sizeof(rep));
	if (opt.nat && a.addr_len && rep_len > 0 &&
	    ((unsigned int)rep_len != a.addr_len ||
	     memcmp(rep, line + a.addr_off, rep_len))) {
		if (mangle(pkt, ct->l3num, a.addr_off, a.addr_len, rep,
			   rep_len))
			printf("mangle address %.*s -> %s\n", a.addr_len,
			       line + a.addr_off, rep);
	}
	if (opt.mangle && a.text_off &&
	    mangle(pkt, ct->l3num, a.text_off, 0, tag, sizeof(tag) - 1))
		printf("mangle text +%zu\n", sizeof(tag) - 1);
	fflush(stdout);
}

/* Private data: [0..3] counts the verdicts of this connection. */
static void check_priv(const struct ct *ct, struct conn *conn,
		       uint8_t *next)
{
	uint32_t seen = 0;

	memset(next, 0, opt.priv_len);
	if (ct->info_len != (int)opt.priv_len) {
		printf("privdata ct %u: %d bytes, want %u\n", ct->id,
		       ct->info_len, opt.priv_len);
		stats.priv_bad++;
	} else {
		memcpy(&seen, ct->info, 4);
		seen = ntohl(seen);
		/* Packets queued before our last verdict carry older data. */
		if (seen == conn->written)
			stats.priv_exact++;
		else if (seen < conn->written)
			stats.priv_stale++;
		else {
			printf("privdata ct %u: read %u, wrote %u\n", ct->id,
			       seen, conn->written);
			stats.priv_bad++;
		}
		/* Once we wrote, bytes past the counter hold our pattern. */
		for (uint32_t i = 4; i < opt.priv_len; i++)
			if (seen && ct->info[i] != (uint8_t)i) {
				printf("privdata ct %u: byte %u is %u\n",
				       ct->id, i, ct->info[i]);
				stats.priv_bad++;
				break;
			}
	}
	conn->written++;
	seen = htonl(conn->written);
	memcpy(next, &seen, 4);
	for (uint32_t i = 4; i < opt.priv_len; i++)
		next[i] = i;
}

static int send_verdict(struct nlmsghdr *nlh, bool ack);

/* Malformed verdicts, one per packet; each must leave no expectation. */
static void bad_exp_class(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct addr a = ct->t[ct->dir].src;

	put_expect(nlh, ct, &a, htons(opt.toy_port), opt.classes);
}

static void bad_exp_no_mask(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFQA_EXP);
	struct tuple t = ct->t[!ct->dir];

	t.dport = htons(opt.toy_port);
	put_tuple(nlh, CTA_EXPECT_TUPLE, ct->l3num, &t);
	mnl_attr_nest_end(nlh, nest);
}

static void bad_exp_other_family(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFQA_EXP);
	struct tuple t = ct->t[!ct->dir], mask;
	uint16_t other = ct->l3num == AF_INET ? AF_INET6 : AF_INET;

	memset(&mask, 0xff, sizeof(mask));
	t.dport = htons(opt.toy_port);
	put_tuple(nlh, CTA_EXPECT_TUPLE, other, &t);
	put_tuple(nlh, CTA_EXPECT_MASK, other, &mask);
	mnl_attr_nest_end(nlh, nest);
}

static void bad_exp_helper(struct nlmsghdr *nlh, const struct ct *ct)
{
	opt.exp_helper = "no-such-helper";
	bad_exp_class(nlh, ct);	/* class 0 below, valid */
	opt.exp_helper = NULL;
}

/* Opens NFQA_EXP with a valid tuple and mask for the -P port. */
static struct nlattr *exp_start(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFQA_EXP);
	struct tuple t = ct->t[!ct->dir], mask;

	memset(&mask, 0xff, sizeof(mask));
	mask.sport = 0;
	t.sport = 0;
	t.dport = htons(opt.toy_port);
	put_tuple(nlh, CTA_EXPECT_TUPLE, ct->l3num, &t);
	put_tuple(nlh, CTA_EXPECT_MASK, ct->l3num, &mask);
	return nest;
}

static void bad_exp_fn(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = exp_start(nlh, ct);

	mnl_attr_put_strz(nlh, CTA_EXPECT_FN, "no-such-function");
	mnl_attr_nest_end(nlh, nest);
}

static void bad_exp_nat_no_tuple(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = exp_start(nlh, ct), *n;

	n = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
	mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(!ct->dir));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, nest);
}

static void bad_exp_short_class(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = exp_start(nlh, ct);

	mnl_attr_put_u16(nlh, CTA_EXPECT_CLASS, 0);
	mnl_attr_nest_end(nlh, nest);
}

static void bad_exp_garbage(struct nlmsghdr *nlh, const struct ct *ct)
{
	static const char junk[] = "\x05\x00\x02\x00\xff\xff\xff\xff\x03";

	(void)ct;
	mnl_attr_put(nlh, NFQA_EXP, sizeof(junk), junk);
}

static void bad_ct_info_too_long(struct nlmsghdr *nlh, const struct ct *ct)
{
	uint8_t big[64];

	(void)ct;
	memset(big, 0xee, sizeof(big));
	put_help(nlh, big, sizeof(big));
}

/* NFQA_CT { CTA_HELP { NAME: len bytes of name, INFO: zeroes } } */
static void put_help_raw(struct nlmsghdr *nlh, const char *name, int len)
{
	struct nlattr *ctn = mnl_attr_nest_start(nlh, NFQA_CT), *help;
	uint8_t info[32] = {};

	help = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put(nlh, CTA_HELP_NAME, len, name);
	mnl_attr_put(nlh, CTA_HELP_INFO, opt.priv_len, info);
	mnl_attr_nest_end(nlh, help);
	mnl_attr_nest_end(nlh, ctn);
}

static void bad_ct_help_other(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	put_help_raw(nlh, "no-such-helper", sizeof("no-such-helper"));
}

static void bad_ct_help_name_no_nul(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	put_help_raw(nlh, "0123456789abcdef", 16);
}

static void bad_ct_status_short(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *ctn = mnl_attr_nest_start(nlh, NFQA_CT);

	(void)ct;
	mnl_attr_put_u16(nlh, CTA_STATUS, 0xffff);
	mnl_attr_nest_end(nlh, ctn);
}

static const struct {
	const char *name;
	void (*build)(struct nlmsghdr *nlh, const struct ct *ct);
} bad_cases[] = {
	{ "NFQA_EXP class above the helper's classes", bad_exp_class },
	{ "NFQA_EXP without CTA_EXPECT_MASK", bad_exp_no_mask },
	{ "NFQA_EXP tuple of the other family", bad_exp_other_family },
	{ "NFQA_EXP with an unknown CTA_EXPECT_HELP_NAME", bad_exp_helper },
	{ "NFQA_EXP with an unknown CTA_EXPECT_FN", bad_exp_fn },
	{ "NFQA_EXP with CTA_EXPECT_NAT without tuple", bad_exp_nat_no_tuple },
	{ "NFQA_EXP with a short CTA_EXPECT_CLASS", bad_exp_short_class },
	{ "NFQA_EXP not a nest", bad_exp_garbage },
	{ "NFQA_CT CTA_HELP_INFO longer than PRIV_DATA_LEN", bad_ct_info_too_long },
	{ "NFQA_CT CTA_HELP of another helper", bad_ct_help_other },
	{ "NFQA_CT CTA_HELP_NAME without NUL", bad_ct_help_name_no_nul },
	{ "NFQA_CT short CTA_STATUS", bad_ct_status_short },
};
#define N_BAD_CASES (sizeof(bad_cases) / sizeof(bad_cases[0]))

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

static int expectations_in_netns(void)
{
	static struct mnl_socket *ctnl;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int n = 0;

	if (!ctnl)
		ctnl = nl_open();
	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_GET,
		       NLM_F_DUMP, AF_UNSPEC, 0);
	return nl_talk(ctnl, nlh, count_cb, &n) < 0 ? -1 : n;
}

static void bad_verdict(struct verdict *v, const struct ct *ct,
			struct conn *conn, uint32_t id)
{
	unsigned int i = conn->bad_done++;
	int err, err2 = 0, n;
	char what[160];

	/* The NFQA_EXP cases go with a valid (empty) NFQA_CT. */
	if (!strncmp(bad_cases[i].name, "NFQA_EXP", 8))
		put_help(v->nlh, NULL, 0);
	bad_cases[i].build(v->nlh, ct);
	err = -send_verdict(v->nlh, true);
	if (err) {
		/* Either rejected as a whole, and the packet is still ours,
		 * or the verdict was applied and only its conntrack part
		 * was refused (ENOENT now): in neither case is it lost.
		 */
		v->nlh = nfq_nlmsg_put(v->buf, NFQNL_MSG_VERDICT, opt.queue);
		nfq_nlmsg_verdict_put(v->nlh, id, NF_ACCEPT);
		err2 = -send_verdict(v->nlh, true);
		if (err2 == ENOENT)
			err2 = 0;
	}
	n = expectations_in_netns();
	snprintf(what, sizeof(what), "%s%s%s", bad_cases[i].name,
		 err2 ? ", packet lost after the error" : "",
		 err ? "" : ", accepted without an error");
	tap(n == 0 && !err2 && err, "malformed verdict: %s: no expectation (%s)",
	    what, err);
	if (n)
		printf("# %d expectations in the netns\n", n);
}

/* ---- verdicts only CAP_NET_ADMIN may give (-U) ---- */

/* A top-level refusal leaves the packet queued; these say what to send. */
struct unpriv_case {
	const char *name;
	uint32_t verdict;
	void (*build)(struct nlmsghdr *nlh, const struct ct *ct);
};

static void up_mark(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	mnl_attr_put_u32(nlh, NFQA_MARK, htonl(0x42));
}

static void up_priority(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	mnl_attr_put_u32(nlh, NFQA_PRIORITY_, htonl(7));
}

static void up_ct_attr(struct nlmsghdr *nlh, int type, uint32_t value)
{
	struct nlattr *ctn = mnl_attr_nest_start(nlh, NFQA_CT);

	mnl_attr_put_u32(nlh, type, htonl(value));
	mnl_attr_nest_end(nlh, ctn);
}

static void up_ct_mark(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	up_ct_attr(nlh, CTA_MARK, 0x42);
}

static void up_ct_status(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	up_ct_attr(nlh, CTA_STATUS, IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED);
}

static void up_ct_timeout(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	up_ct_attr(nlh, CTA_TIMEOUT, 100000);
}

static void up_ct_help_remove(struct nlmsghdr *nlh, const struct ct *ct)
{
	(void)ct;
	put_help_raw(nlh, "", 1);
}

static void up_exp_assign_helper(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = exp_start(nlh, ct);

	/* Its own helper is allowed (SIP's incoming calls), another not. */
	mnl_attr_put_strz(nlh, CTA_EXPECT_HELP_NAME,
			  strcmp(opt.name, "tftp") ? "tftp" : "ftp");
	mnl_attr_nest_end(nlh, nest);
}

/* 192.0.2.1 / 2001:db8::1: no address of the connection. */
static struct addr documentation_addr(uint16_t l3num)
{
	struct addr a = {};

	if (l3num == AF_INET) {
		a.ip[0] = htonl(0xc0000201);
	} else {
		a.ip[0] = htonl(0x20010db8);
		a.ip[3] = htonl(1);
	}
	return a;
}

static void up_exp_other_dst(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFQA_EXP);
	struct tuple t = ct->t[!ct->dir], mask;

	memset(&mask, 0xff, sizeof(mask));
	mask.sport = 0;
	t.sport = 0;
	t.dst = documentation_addr(ct->l3num);
	t.dport = htons(opt.toy_port);
	put_tuple(nlh, CTA_EXPECT_TUPLE, ct->l3num, &t);
	put_tuple(nlh, CTA_EXPECT_MASK, ct->l3num, &mask);
	mnl_attr_nest_end(nlh, nest);
}

static void up_exp_nat_elsewhere(struct nlmsghdr *nlh, const struct ct *ct)
{
	struct nlattr *nest = exp_start(nlh, ct), *n;
	struct tuple nat = { documentation_addr(ct->l3num), ct->t[!ct->dir].dst,
			     htons(opt.toy_port), 0 };

	n = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
	mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(!ct->dir));
	put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, ct->l3num, &nat);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_strz(nlh, CTA_EXPECT_FN, "nat-follow-master");
	mnl_attr_nest_end(nlh, nest);
}

static const struct unpriv_case unpriv_cases[] = {
	{ "verdict NF_QUEUE to another queue", NF_QUEUE | (5 << 16), NULL },
	{ "verdict NF_REPEAT", NF_REPEAT, NULL },
	{ "NFQA_MARK", NF_ACCEPT, up_mark },
	{ "NFQA_PRIORITY", NF_ACCEPT, up_priority },
	{ "NFQA_CT CTA_MARK", NF_ACCEPT, up_ct_mark },
	{ "NFQA_CT CTA_STATUS", NF_ACCEPT, up_ct_status },
	{ "NFQA_CT CTA_TIMEOUT", NF_ACCEPT, up_ct_timeout },
	{ "NFQA_CT CTA_HELP removing the helper", NF_ACCEPT, up_ct_help_remove },
	{ "NFQA_EXP assigning another helper (CTA_EXPECT_HELP_NAME)", NF_ACCEPT, up_exp_assign_helper },
	{ "NFQA_EXP to an address not of the connection", NF_ACCEPT, up_exp_other_dst },
	{ "NFQA_EXP NATed to an address not of the connection", NF_ACCEPT, up_exp_nat_elsewhere },
};
#define N_UNPRIV_CASES (sizeof(unpriv_cases) / sizeof(unpriv_cases[0]))

static void unpriv_verdict(struct verdict *v, const struct ct *ct,
			   struct conn *conn, uint32_t id)
{
	const struct unpriv_case *c = &unpriv_cases[conn->unpriv_done++];
	int err, err2 = 0;
	char what[160];

	v->nlh = nfq_nlmsg_put(v->buf, NFQNL_MSG_VERDICT, opt.queue);
	nfq_nlmsg_verdict_put(v->nlh, id, c->verdict);
	/* The NFQA_EXP cases go with a valid (empty) NFQA_CT. */
	if (!strncmp(c->name, "NFQA_EXP", 8))
		put_help(v->nlh, NULL, 0);
	if (c->build)
		c->build(v->nlh, ct);
	err = -send_verdict(v->nlh, true);
	/* Refused as a whole (the packet is still queued) or applied with
	 * its conntrack part refused (ENOENT now): either way not lost.
	 */
	v->nlh = nfq_nlmsg_put(v->buf, NFQNL_MSG_VERDICT, opt.queue);
	nfq_nlmsg_verdict_put(v->nlh, id, NF_ACCEPT);
	err2 = -send_verdict(v->nlh, true);
	if (err2 == ENOENT)
		err2 = 0;
	snprintf(what, sizeof(what), "%s%s", c->name,
		 err2 ? ", packet lost after the refusal" : "");
	tap(err == EPERM && !err2, "unprivileged verdict: %s: refused (%s)",
	    what, err);
}

/* -L: the verdict the line of commands in the payload asks for. */
static void line_verdict(struct verdict *v, const struct ct *ct,
			 struct pkt_buff *pkt, uint32_t id)
{
	char line[256], copy[256], *save, *tok, *arg, *arg2, *end;
	unsigned long val, val2;
	bool with_ct = true;
	unsigned int len;
	const char *err = NULL;
	struct ct reply = *ct;
	struct addr dst = ct->t[DIR_REPLY].src;
	char *payload = tcp_payload(pkt, ct->l3num, &len);
	char batch_buf[MNL_SOCKET_BUFFER_SIZE], result[64];
	struct nlmsghdr *batch;
	int ret;

	if (!payload) {
		stats.empty++;
		send_verdict(v->nlh, false);
		return;
	}
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, payload, len);
	line[len] = 0;
	line[strcspn(line, "\r\n")] = 0;

	/* As in the toy mode: client -> server, as if the server announced. */
	reply.dir = DIR_REPLY;
	/* The attributes in the order of the line, NFQA_CT (or not) last. */
	memcpy(copy, line, sizeof(line));
	for (tok = strtok_r(copy, " ", &save); tok && !err;
	     tok = strtok_r(NULL, " ", &save)) {
		if (!strcmp(tok, "noct")) {
			with_ct = false;
			continue;
		}
		arg = strtok_r(NULL, " ", &save);
		val = arg ? strtoul(arg, &end, 0) : 0;
		if (!arg || *end) {
			err = "missing or bad argument";
		} else if (!strcmp(tok, "flush")) {
			mnl_attr_put_u32(v->nlh, NFQA_EXP_FLUSH_, htonl(val));
		} else if (!strcmp(tok, "expect")) {
			arg2 = strtok_r(NULL, " ", &save);
			val2 = arg2 ? strtoul(arg2, &end, 0) : 0;
			if (!arg2 || *end || !val2 || val2 > 65535) {
				err = "bad port";
				break;
			}
			put_expect(v->nlh, &reply, &dst, htons(val2), val);
			stats.expectations++;
		} else if (!strcmp(tok, "batchflush")) {
			batch = nfq_nlmsg_put(batch_buf, NFQNL_MSG_VERDICT_BATCH,
					      opt.queue);
			nfq_nlmsg_verdict_put(batch, id, NF_ACCEPT);
			mnl_attr_put_u32(batch, NFQA_EXP_FLUSH_, htonl(val));
			ret = send_verdict(batch, true);
			printf("batch ct %u [%s]: %s\n", ct->id, line,
			       ret ? strerror(-ret) : "ok");
		} else {
			err = "unknown command";
		}
	}
	if (err) {
		/* Our own mistake: let the packet through, say why. */
		v->nlh = nfq_nlmsg_put(v->buf, NFQNL_MSG_VERDICT, opt.queue);
		nfq_nlmsg_verdict_put(v->nlh, id, NF_ACCEPT);
		send_verdict(v->nlh, false);
		printf("line ct %u [%s]: bad line: %s\n", ct->id, line, err);
		return;
	}
	if (with_ct)
		put_help(v->nlh, NULL, 0);
	ret = send_verdict(v->nlh, true);
	if (ret < 0)
		stats.exp_errors++;
	snprintf(result, sizeof(result), "%s", ret ? strerror(-ret) : "ok");
	printf("line ct %u [%s]: %s\n", ct->id, line, result);
}

static void handle_packet(const struct nlmsghdr *nlh)
{
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct nfqnl_msg_packet_hdr *ph;
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct verdict v;
	struct ct ct = {};
	struct pkt_buff *pkt;
	struct conn *conn;
	uint8_t priv[32];
	uint32_t id;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	stats.packets++;

	v.nlh = nfq_nlmsg_put(v.buf, NFQNL_MSG_VERDICT, opt.queue);
	nfq_nlmsg_verdict_put(v.nlh, id, NF_ACCEPT);

	/* Like conntrackd: never break traffic on what we cannot parse. */
	ct.l3num = nfg->nfgen_family;
	if (!attr[NFQA_PAYLOAD] || !attr[NFQA_CT] || !attr[NFQA_CT_INFO] ||
	    parse_ct(attr[NFQA_CT], ntohl(mnl_attr_get_u32(attr[NFQA_CT_INFO])),
		     &ct) < 0) {
		printf("packet %u without conntrack\n", id);
		send_verdict(v.nlh, false);
		return;
	}
	conn = conn_get(ct.id);

	if (opt.bad && conn->bad_done < N_BAD_CASES) {
		bad_verdict(&v, &ct, conn, id);
		return;
	}
	if (opt.unpriv && !opt.lines && conn->unpriv_done < N_UNPRIV_CASES) {
		unpriv_verdict(&v, &ct, conn, id);
		return;
	}
	if (opt.unpriv_no_optin) {
		static bool reported;
		int err = -send_verdict(v.nlh, true);

		if (!reported)
			tap(err == EPERM, "%sverdict on a queue bound without opting in: refused (%s)",
			    "unprivileged ", err);
		reported = true;
		return;
	}

	pkt = pktb_alloc(ct.l3num, mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
			 mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]), 256);
	if (!pkt) {
		send_verdict(v.nlh, false);
		return;
	}

	if (opt.lines) {
		line_verdict(&v, &ct, pkt, id);
		pktb_free(pkt);
		return;
	}
	if (opt.priv_len >= 4)
		check_priv(&ct, conn, priv);
	help_packet(&v, &ct, pkt, conn);
	/* NFQA_EXP is only looked at together with NFQA_CT. */
	put_help(v.nlh, priv, opt.priv_len >= 4 ? opt.priv_len : 0);
	if (pktb_mangled(pkt)) {
		nfq_nlmsg_verdict_put_pkt(v.nlh, pktb_data(pkt), pktb_len(pkt));
		stats.mangled++;
	}
	pktb_free(pkt);

	if (send_verdict(v.nlh, true) < 0)
		stats.exp_errors++;
}

/* Packets that arrived while we waited for an ack. */
static struct backlog {
	struct backlog *next;
	size_t len;
	char buf[];
} *backlog, **backlog_tail = &backlog;

static int send_verdict(struct nlmsghdr *nlh, bool ack)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	static uint32_t seq = 1;
	int ret;

	if (ack) {
		nlh->nlmsg_flags |= NLM_F_ACK;
		nlh->nlmsg_seq = ++seq;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	if (!ack)
		return 0;

	for (;;) {
		struct nlmsghdr *m;

		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		m = (struct nlmsghdr *)buf;
		if (m->nlmsg_type == NLMSG_ERROR && m->nlmsg_seq == seq) {
			struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

			if (e->error)
				printf("# verdict: %s\n", strerror(-e->error));
			return e->error;
		}
		struct backlog *b = malloc(sizeof(*b) + ret);

		if (!b)
			continue;
		b->next = NULL;
		b->len = ret;
		memcpy(b->buf, buf, ret);
		*backlog_tail = b;
		backlog_tail = &b->next;
	}
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	handle_packet(nlh);
	return MNL_CB_OK;
}

static void bind_queue(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t flags;
	int ret;

	/* The queue of a previous instance goes away with its socket, a
	 * moment after that process ends.
	 */
	for (int tries = 0; tries < 30; tries++) {
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, opt.queue);
		nfq_nlmsg_cfg_put_cmd(nlh, AF_UNSPEC, NFQNL_CFG_CMD_BIND);
		ret = send_verdict(nlh, true);
		if (ret != -EPERM)
			break;
		usleep(100000);
	}
	if (ret < 0) {
		fprintf(stderr, "bind queue: %s\n", strerror(-ret));
		exit(2);
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, opt.queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	flags = NFQA_CFG_F_CONNTRACK | (opt.unpriv ? NFQA_CFG_F_UNPRIV_VERDICT : 0);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
	ret = send_verdict(nlh, true);
	if (ret == -EOPNOTSUPP && opt.unpriv) {
		/* A kernel without the opt-in: see what it lets through. */
		printf("# kernel without NFQA_CFG_F_UNPRIV_VERDICT: bound without it\n");
		flags &= ~NFQA_CFG_F_UNPRIV_VERDICT;
		nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, opt.queue);
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(flags));
		ret = send_verdict(nlh, true);
	}
	if (ret < 0) {
		fprintf(stderr, "queue parameters: %s\n", strerror(-ret));
		exit(2);
	}
}

static void register_helper(void)
{
	uint16_t l3[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	struct cth_helper h;
	int ret;

	for (int i = 0; i < 2; i++) {
		cth_default(&h, opt.name, l3[i], IPPROTO_TCP);
		h.attrs |= CTH_A_QUEUE | CTH_A_STATUS;
		h.queue = opt.queue;
		h.status = 1;
		h.priv_len = opt.priv_len;
		h.set_num = opt.classes;
		h.sets = (1U << opt.classes) - 1;
		for (uint32_t c = 0; c < opt.classes; c++) {
			snprintf(h.policy[c].name, sizeof(h.policy[c].name),
				 "%s-%u", opt.name, c);
			h.policy[c].expect_max = opt.max_expected;
			/* The kernel times expectations by the policy:
			 * -L tests look at them for longer than 30 s when
			 * the machine is loaded.
			 */
			h.policy[c].expect_timeout = opt.lines ? 300 : 30;
		}
		if (opt.fail_closed || opt.all_segments) {
			h.attrs |= CTH_A_FLAGS;
			h.flags = (opt.fail_closed ? NFCTH_F_FAIL_CLOSED : 0) |
				  (opt.all_segments ? NFCTH_F_ALL_SEGMENTS : 0);
		}
		ret = cth_new(nl, &h, NLM_F_CREATE);
		if (ret < 0) {
			fprintf(stderr, "register helper %s: %s\n", opt.name,
				strerror(-ret));
			exit(2);
		}
	}
}

/* No capability left: uid and gid 65534, no supplementary group. */
static void drop_privileges(void)
{
	if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
	    setresuid(65534, 65534, 65534) < 0) {
		perror("drop privileges");
		exit(2);
	}
}

/* A message to an nfnetlink subsystem from a sender without capability. */
static void try_autoload(int subsys)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfnl_msg(buf, subsys, 0, 0, AF_UNSPEC, 0);
	int err = -send_verdict(nlh, true);

	tap(err == EPERM, "%s to an unloaded nfnetlink subsystem: refused (%s)",
	    "unprivileged message", err);
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char *argv[])
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct sigaction sa = { .sa_handler = on_signal };
	int c, ret, one = 1;

	while ((c = getopt(argc, argv, "q:n:c:m:C:p:NME:P:X:BFSRUuA:L")) != -1) {
		switch (c) {
		case 'q': opt.queue = atoi(optarg); break;
		case 'n': opt.name = optarg; break;
		case 'c': opt.classes = atoi(optarg); break;
		case 'm': opt.max_expected = atoi(optarg); break;
		case 'C': opt.class = atoi(optarg); break;
		case 'p': opt.priv_len = atoi(optarg); break;
		case 'N': opt.nat = true; break;
		case 'M': opt.mangle = true; break;
		case 'E': opt.exp_helper = optarg; break;
		case 'P': opt.toy_port = atoi(optarg); break;
		case 'X': opt.toy_count = atoi(optarg); break;
		case 'B': opt.bad = true; break;
		case 'F': opt.fail_closed = true; break;
		case 'S': opt.all_segments = true; break;
		case 'R': opt.no_register = true; break;
		case 'U': opt.unpriv = true; break;
		case 'u': opt.unpriv_no_optin = true; break;
		case 'A': opt.autoload_subsys = atoi(optarg); break;
		case 'L': opt.lines = true; break;
		default:
			fprintf(stderr, "see the comment at the top of %s\n",
				__FILE__);
			return 2;
		}
	}
	if (opt.classes < 1 || opt.classes > CTH_MAX_CLASSES ||
	    opt.priv_len > 32 ||
	    ((opt.bad || opt.unpriv || opt.lines) && !opt.toy_port) ||
	    (opt.unpriv && opt.unpriv_no_optin) ||
	    (opt.autoload_subsys >= 0 && !opt.unpriv && !opt.unpriv_no_optin) ||
	    opt.toy_count < 1 || opt.toy_count > 8) {
		fprintf(stderr, "bad options\n");
		return 2;
	}

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	nl = nl_open();
	/* A burst of packets must not make us lose one silently. */
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_NO_ENOBUFS,
		   &one, sizeof(one));
	if (!opt.no_register)
		register_helper();
	bind_queue();
	if (opt.unpriv || opt.unpriv_no_optin) {
		drop_privileges();
		if (opt.autoload_subsys >= 0)
			try_autoload(opt.autoload_subsys);
	}
	printf("ready: helper %s queue %u\n", opt.name, opt.queue);

	while (!stop) {
		while (backlog) {
			struct backlog *b = backlog;

			backlog = b->next;
			if (!backlog)
				backlog_tail = &backlog;
			mnl_cb_run(b->buf, b->len, 0, 0, queue_cb, NULL);
			free(b);
		}
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			perror("recv");
			break;
		}
		mnl_cb_run(buf, ret, 0, 0, queue_cb, NULL);
	}

	printf("summary: packets %u empty %u expectations %u verdict_errors %u mangled %u privdata exact %u stale %u bad %u\n",
	       stats.packets, stats.empty, stats.expectations, stats.exp_errors,
	       stats.mangled, stats.priv_exact, stats.priv_stale,
	       stats.priv_bad);
	if (opt.bad || opt.unpriv || opt.unpriv_no_optin)
		printf("1..%d\n", tap_n);
	return stats.priv_bad || tap_failed ? 1 : 0;
}
