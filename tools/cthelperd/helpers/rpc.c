// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RPC portmapper helpers (rpc: UDP 111, rpc-tcp: TCP 111, record marking
 * on the core's message layer): a client asks the portmapper where an RPC
 * program listens (portmapper v2 GETPORT: a port; rpcbind v3/v4 GETADDR
 * and v4 GETVERSADDR: a universal address, IPv4 or IPv6), and the answer
 * opens one connection from that client to the server at that port, with
 * the program's protocol: NFSv3's mountd, nlockmgr, statd... As
 * conntrack-tools' rpc helper, which knows GETPORT only and only IPv4.
 *
 * Hostile answers: a reply is read only when its XID is that of the last
 * query the client sent on the same connection (a reply without a call,
 * or to an older one, opens nothing); a universal address naming another
 * host than the server that answers (or another family) opens nothing;
 * the expectation always goes to the server as the client reaches it.
 * Ports below 1024 are followed: the answer comes from the server's own
 * portmapper, and daemons such as statd or mountd may sit there.
 *
 * NAT: the expectation follows the master's NAT; a port the NAT moves is
 * rewritten in the answer, and under DNAT the universal address too (the
 * server's own address would send the client past the firewall). On TCP
 * the record mark is rewritten with the length.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "rpc.h"

#define RPC_CALL		0
#define RPC_REPLY		1
#define RPC_VERSION		2
#define RPC_MSG_ACCEPTED	0
#define RPC_SUCCESS		0
#define PMAP_GETPORT		3	/* portmapper v2 */
#define RPCB_GETADDR		3	/* rpcbind v3, v4 */
#define RPCB_GETVERSADDR	9	/* rpcbind v4 */
#define RPC_LAST_FRAGMENT	0x80000000u

/* An XDR reader: every read checks what is left. */
struct xdr {
	const uint8_t *p;
	size_t len, pos;
};

static bool xdr_u32(struct xdr *x, uint32_t *v)
{
	if (x->len - x->pos < 4)
		return false;
	*v = (uint32_t)x->p[x->pos] << 24 | (uint32_t)x->p[x->pos + 1] << 16 |
	     (uint32_t)x->p[x->pos + 2] << 8 | x->p[x->pos + 3];
	x->pos += 4;
	return true;
}

/* opaque or string of at most max bytes, with its padding: its bytes in *s */
static bool xdr_opaque(struct xdr *x, size_t max, const uint8_t **s, uint32_t *n)
{
	size_t padded;

	if (!xdr_u32(x, n) || *n > max)
		return false;
	padded = (*n + 3u) & ~3u;
	if (x->len - x->pos < padded)
		return false;
	*s = x->p + x->pos;
	x->pos += padded;
	return true;
}

static bool xdr_auth(struct xdr *x)
{
	const uint8_t *body;
	uint32_t flavor, n;

	return xdr_u32(x, &flavor) && xdr_opaque(x, RPC_AUTH_MAX, &body, &n);
}

static bool netid_is(const uint8_t *s, uint32_t n, const char *want)
{
	return n == strlen(want) && !memcmp(s, want, n);
}

int rpc_parse_call(const uint8_t *m, size_t len, struct rpc_call *call)
{
	struct xdr x = { .p = m, .len = len };
	uint32_t xid, type, rpcvers, prog, vers, proc, v;

	memset(call, 0, sizeof(*call));
	if (!xdr_u32(&x, &xid) || !xdr_u32(&x, &type))
		return -EINVAL;
	if (type != RPC_CALL)
		return type == RPC_REPLY ? 0 : -EINVAL;
	if (!xdr_u32(&x, &rpcvers) || rpcvers != RPC_VERSION || !xdr_u32(&x, &prog) ||
	    !xdr_u32(&x, &vers) || !xdr_u32(&x, &proc) || !xdr_auth(&x) || !xdr_auth(&x))
		return -EINVAL;
	if (prog != RPC_PMAP_PROG)
		return 0;
	if (vers == 2 && proc == PMAP_GETPORT) {
		uint32_t prot;

		/* mapping: prog, vers, prot, port (ignored) */
		if (!xdr_u32(&x, &v) || !xdr_u32(&x, &v) || !xdr_u32(&x, &prot) ||
		    !xdr_u32(&x, &v) || x.pos != len)
			return -EINVAL;
		if (prot != IPPROTO_TCP && prot != IPPROTO_UDP)
			return 0;
		call->l4proto = (uint8_t)prot;
		call->family = AF_INET;		/* portmapper v2 is IPv4's */
		call->query = RPC_QUERY_GETPORT;
	} else if ((vers == 3 && proc == RPCB_GETADDR) ||
		   (vers == 4 && (proc == RPCB_GETADDR || proc == RPCB_GETVERSADDR))) {
		const uint8_t *netid, *s;
		uint32_t n, netid_len;

		/* rpcb: prog, vers, netid, addr, owner */
		if (!xdr_u32(&x, &v) || !xdr_u32(&x, &v) ||
		    !xdr_opaque(&x, RPC_NETID_MAX, &netid, &netid_len) ||
		    !xdr_opaque(&x, RPC_STRING_MAX, &s, &n) ||
		    !xdr_opaque(&x, RPC_STRING_MAX, &s, &n) || x.pos != len)
			return -EINVAL;
		if (netid_is(netid, netid_len, "tcp") || netid_is(netid, netid_len, "tcp6"))
			call->l4proto = IPPROTO_TCP;
		else if (netid_is(netid, netid_len, "udp") || netid_is(netid, netid_len, "udp6"))
			call->l4proto = IPPROTO_UDP;
		else
			return 0;	/* local, another transport: no port */
		call->family = netid[netid_len - 1] == '6' ? AF_INET6 : AF_INET;
		call->query = RPC_QUERY_GETADDR;
	} else {
		return 0;
	}
	call->xid = xid;
	return 1;
}

static bool decimal_byte(const char *s, size_t len, uint8_t *out)
{
	unsigned int v = 0;

	if (len == 0 || len > 3)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > 255)
		return false;
	*out = (uint8_t)v;
	return true;
}

int rpc_parse_uaddr(const char *s, size_t len, int family, union cthd_addr *addr,
		    uint16_t *port)
{
	const char *lo, *hi;
	uint8_t p1, p2;

	lo = memrchr(s, '.', len);
	if (!lo)
		return -EINVAL;
	hi = memrchr(s, '.', (size_t)(lo - s));
	if (!hi)
		return -EINVAL;
	if (!decimal_byte(hi + 1, (size_t)(lo - hi - 1), &p1) ||
	    !decimal_byte(lo + 1, len - (size_t)(lo + 1 - s), &p2))
		return -EINVAL;
	if (cthd_parse_addr(family, s, (size_t)(hi - s), addr) < 0)
		return -EINVAL;
	*port = (uint16_t)(p1 << 8 | p2);
	return 0;
}

int rpc_parse_reply(const uint8_t *m, size_t len, const struct rpc_call *call,
		    struct rpc_answer *a)
{
	struct xdr x = { .p = m, .len = len };
	uint32_t xid, type, stat, v;

	memset(a, 0, sizeof(*a));
	if (!xdr_u32(&x, &xid) || !xdr_u32(&x, &type) || type != RPC_REPLY ||
	    call->query == RPC_QUERY_NONE || xid != call->xid || !xdr_u32(&x, &stat))
		return -EINVAL;
	if (stat != RPC_MSG_ACCEPTED)
		return 0;		/* denied: no result */
	if (!xdr_auth(&x) || !xdr_u32(&x, &stat))
		return -EINVAL;
	if (stat != RPC_SUCCESS)
		return 0;
	if (call->query == RPC_QUERY_GETPORT) {
		a->port_off = x.pos;
		if (!xdr_u32(&x, &v) || v > 65535 || x.pos != len)
			return -EINVAL;
		a->port = (uint16_t)v;
	} else {
		const uint8_t *s;
		uint32_t n;

		a->str_off = x.pos;
		if (!xdr_opaque(&x, RPC_STRING_MAX, &s, &n) || x.pos != len)
			return -EINVAL;
		a->str_len = x.pos - a->str_off;
		if (n == 0)
			return 0;	/* not registered */
		if (rpc_parse_uaddr((const char *)s, n, call->family, &a->addr, &a->port) < 0)
			return -EINVAL;
		a->has_addr = true;
	}
	return a->port ? 1 : 0;
}

/* One message of either transport; `off` is its first byte in the payload. */
struct rpc_segment {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct rpc_call *call;
	struct cthd_result *res;
	size_t mark_off;	/* TCP: the record mark's payload offset; SIZE_MAX on UDP */
	uint32_t mark;		/* TCP: the record mark */
};

static void rpc_set_call(struct rpc_segment *seg, const struct rpc_call *call)
{
	uint8_t flags = seg->call->flags;

	*seg->call = *call;
	seg->call->flags = flags;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Under NAT: the answer as the client must see it: the port the
 * expectation got, and for a universal address the server's address as
 * the client reaches it. 0, or a negative errno when it cannot be written.
 */
static int rpc_rewrite(struct rpc_segment *seg, size_t off,
		       const struct rpc_answer *a, uint16_t port)
{
	const union cthd_addr *seen = &seg->ct->tuple[CTHD_DIR_ORIGINAL].dst;
	char text[INET6_ADDRSTRLEN + 8];
	uint8_t str[4 + sizeof(text) + 3] = { 0 };
	size_t n, padded, old_len;
	int rc;

	if (!a->has_addr) {
		uint8_t word[4];

		if (port == a->port)
			return 0;
		put_u32(word, port);
		return cthd_result_add_mangle(seg->res, off + a->port_off, 4, word, 4);
	}
	if (port == a->port && !memcmp(&a->addr, seen, sizeof(*seen)))
		return 0;
	if (!inet_ntop(seg->ct->family, seen, text, sizeof(text)))
		return -EINVAL;
	n = strlen(text);
	n += (size_t)snprintf(text + n, sizeof(text) - n, ".%u.%u", port >> 8, port & 0xff);
	padded = (n + 3u) & ~3u;
	put_u32(str, (uint32_t)n);
	memcpy(str + 4, text, n);
	old_len = a->str_len;
	if (seg->mark_off != SIZE_MAX && 4 + padded != old_len) {
		/* the record's length changes with the string's */
		uint32_t frag = (seg->mark & ~RPC_LAST_FRAGMENT) - (uint32_t)old_len +
				4u + (uint32_t)padded;
		uint8_t word[4];

		put_u32(word, (seg->mark & RPC_LAST_FRAGMENT) | (frag & ~RPC_LAST_FRAGMENT));
		rc = cthd_result_add_mangle(seg->res, seg->mark_off, 4, word, 4);
		if (rc < 0)
			return rc;
	}
	return cthd_result_add_mangle(seg->res, off + a->str_off, old_len, str, 4 + padded);
}

static void rpc_answer(struct rpc_segment *seg, const uint8_t *m, size_t len, size_t off)
{
	const struct cthd_conntrack *ct = seg->ct;
	struct rpc_call none = { 0 }, call = *seg->call;
	struct rpc_answer a;
	struct cthd_expect exp;
	uint16_t port;
	int rc;

	rc = rpc_parse_reply(m, len, &call, &a);
	if (rc < 0) {
		seg->res->parse_errors++;	/* no call of ours, or no answer */
		return;
	}
	rpc_set_call(seg, &none);		/* one answer per call */
	if (rc == 0)
		return;
	if (call.family != ct->family) {
		seg->res->parse_errors++;	/* a port of the other family: not this host's */
		return;
	}
	/* an address must be the answering server's own (or unspecified) */
	if (a.has_addr && memcmp(&a.addr, &ct->tuple[CTHD_DIR_REPLY].src, sizeof(a.addr)) &&
	    memcmp(&a.addr, &(union cthd_addr){ 0 }, sizeof(a.addr))) {
		seg->res->parse_errors++;
		return;
	}
	/* the client connects to the server, as it reaches it */
	cthd_expect_to_sender(&exp, ct, CTHD_DIR_REPLY, call.l4proto, a.port, a.port,
			      false);
	if (cthd_conntrack_is_natted(ct)) {
		port = cthd_result_nat_port(seg->res, ct, &exp);
		/* an expectation without its rewrite would send the client elsewhere */
		if (!port || rpc_rewrite(seg, off, &a, port) < 0) {
			seg->res->lost++;
			return;
		}
	}
	if (cthd_result_add_expect(seg->res, &exp) < 0)
		seg->res->lost++;
}

static void rpc_message(struct rpc_segment *seg, const uint8_t *m, size_t len, size_t off)
{
	struct rpc_call call;
	int rc;

	if (seg->pkt->dir == CTHD_DIR_REPLY) {
		rpc_answer(seg, m, len, off);
		return;
	}
	rc = rpc_parse_call(m, len, &call);
	if (rc < 0)
		seg->res->parse_errors++;
	/* any other call replaces the query: its reply is the next one */
	rpc_set_call(seg, &call);
}

static int rpc_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct rpc_priv *p = priv;
	struct rpc_segment seg = {
		.pkt = pkt, .ct = ct, .call = &p->call, .res = res, .mark_off = SIZE_MAX,
	};
	struct rpc_priv before;

	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	before = *p;
	rpc_message(&seg, pkt->payload, pkt->payload_len, 0);
	res->priv_changed = memcmp(&before, p, sizeof(before)) != 0;
	return 0;
}

/* TCP: record marking (RFC 5531 11), a 4-byte mark before each fragment */
static long rpc_frame(void *ctx, const uint8_t *data, size_t avail)
{
	uint32_t mark;

	(void)ctx;
	if (avail < 4)
		return 0;
	mark = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3];
	return 4 + (long)(mark & ~RPC_LAST_FRAGMENT);
}

static int rpc_fragment(void *ctx, const uint8_t *data, size_t len, size_t offset)
{
	struct rpc_segment *seg = ctx;
	struct rpc_call *call = seg->call;
	unsigned int cont = RPC_CONT(seg->pkt->dir);
	bool last = data[0] & 0x80, inside = call->flags & cont;
	uint8_t flags = last ? call->flags & ~cont : call->flags | cont;

	call->flags = flags;
	/* a record of several fragments is no portmapper message: not read */
	if (inside || !last)
		return 0;
	seg->mark_off = offset;
	seg->mark = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 |
		    data[3];
	rpc_message(seg, data + 4, len - 4, offset + 4);
	return 0;
}

/* a portmapper message is small: one cut by the segment's end is resent whole */
static bool rpc_wants_whole(void *ctx, const uint8_t *data, size_t avail, size_t need)
{
	(void)ctx;
	(void)data;
	(void)avail;
	return need <= 512;
}

static const struct cthd_msg_ops rpc_msg_ops = {
	.frame = rpc_frame,
	.message = rpc_fragment,
	.wants_whole = rpc_wants_whole,
};

static int rpc_tcp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			   void *priv, struct cthd_result *res)
{
	struct rpc_tcp_priv *p = priv;
	struct rpc_segment seg = { .pkt = pkt, .ct = ct, .call = &p->call, .res = res };
	struct rpc_tcp_priv before;
	int rc;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	before = *p;
	rc = cthd_stream_messages(pkt, &p->stream, res, &rpc_msg_ops, &seg);
	/* a record may set and clear a flag within one segment: compare */
	res->priv_changed = memcmp(&before, p, sizeof(before)) != 0;
	return rc;
}

/* conntrack-tools' rpc policy: one expectation, 5 minutes */
static const struct cthd_helper rpc_helper = {
	.name = "rpc",
	.l4proto = IPPROTO_UDP,
	.default_port = 111,
	.n_policies = 1,
	.policies = { { .name = "rpc", .max_expected = 1, .timeout = 300 } },
	.priv_len = sizeof(struct rpc_priv),
	.process = rpc_process,
};

static const struct cthd_helper rpc_tcp_helper = {
	.name = "rpc-tcp",
	.l4proto = IPPROTO_TCP,
	.default_port = 111,
	.n_policies = 1,
	.policies = { { .name = "rpc", .max_expected = 1, .timeout = 300 } },
	.priv_len = sizeof(struct rpc_tcp_priv),
	.process = rpc_tcp_process,
};

CTHD_HELPER_REGISTER(rpc_helper);
CTHD_HELPER_REGISTER(rpc_tcp_helper);
