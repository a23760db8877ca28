// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Oracle TNS helper (SQL*Net, TCP 1521): a listener may answer a client's
 * CONNECT with a REDIRECT naming another address, (ADDRESS=(PROTOCOL=tcp)
 * (HOST=...)(PORT=...)), to which the client then connects: a shared
 * server's dispatcher, a dedicated server's port (Windows), another node of
 * a RAC. As conntrackd 1.4.7's tns helper (the kernel has none), that
 * connection is expected, from the client to the announced address and
 * port; the redirect data is in the REDIRECT packet, or in the DATA packet
 * right after one that announces none.
 *
 * Tighter than conntrackd: only the server's packets before its ACCEPT or
 * REFUSE are read, each a whole TNS packet at a packet boundary (the
 * core's message layer: the lengths in the headers say where packets
 * start), the address is parsed as an NV list, within the packet and the
 * redirect data's own length (conntrackd runs strstr() over the segment);
 * one HOST and one PORT, a TCP protocol; never a port below 1024; by
 * default only the listener's own address (third_party=1 allows another
 * host, as RAC needs, never behind DNAT; the series' restricted verdicts
 * refuse that to an unprivileged daemon, so the option needs Capabilities
 * net_admin: .privileged); a host name opens nothing, as in
 * conntrackd (host_names=1 takes it for the listener itself). IPv6
 * addresses too, bare or in brackets.
 *
 * Under NAT, HOST becomes the address the client reaches the listener at
 * (DNAT) and PORT the one the core reserved, and the TNS packet's length
 * (16 or 32 bits), the redirect data's length and the header checksum
 * (zeroed: Oracle does not use it) follow. A host name is never rewritten.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../helper.h"
#include "../natport.h"
#include "tns.h"

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

long tns_packet_len(const uint8_t *data, size_t avail, bool *wide)
{
	uint16_t checksum;
	uint32_t len;
	bool is_wide;

	if (avail < TNS_HEADER_LEN)
		return 0;
	/*
	 * The packet checksum is unused: 0, or 4 from a 10g client. Anything
	 * else is the low half of a 32-bit length (12c), as Wireshark reads it.
	 */
	checksum = be16_at(data + 2);
	is_wide = checksum != 0 && checksum != 4;
	len = is_wide ? be32_at(data) : be16_at(data);
	if (data[4] == 0 || data[4] > TNS_TYPE_MAX || len < TNS_HEADER_LEN || len > TNS_PACKET_MAX)
		return -EINVAL;
	if (wide)
		*wide = is_wide;
	return (long)len;
}

/* --- the address ---------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

static bool key_is(const char *key, size_t len, const char *name)
{
	return len == strlen(name) && !strncasecmp(key, name, len);
}

/* A host name: letters, digits, '-', '.', '_'; not all digits and dots. */
static bool is_host_name(const char *s, size_t len)
{
	bool letter = false;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_')
			letter = true;
		else if (!(c >= '0' && c <= '9') && c != '.')
			return false;
	}
	return letter;
}

static int tns_host(const char *s, size_t off, size_t len, struct tns_address *a)
{
	if (len >= 2 && s[off] == '[' && s[off + len - 1] == ']') {
		/* an IPv6 literal in brackets, as in an easy connect string */
		if (cthd_parse_addr(AF_INET6, s + off + 1, len - 2, &a->addr) < 0)
			return -EINVAL;
		a->family = AF_INET6;
		off++;
		len -= 2;
	} else if (cthd_parse_addr(AF_INET, s + off, len, &a->addr) == 0) {
		a->family = AF_INET;
	} else if (cthd_parse_addr(AF_INET6, s + off, len, &a->addr) == 0) {
		a->family = AF_INET6;
	} else if (is_host_name(s + off, len)) {
		a->family = AF_UNSPEC;
	} else {
		return -EINVAL;
	}
	a->host_off = off;
	a->host_len = len;
	return 0;
}

int tns_parse_address(const char *text, size_t len, struct tns_address *a)
{
	const char *nul = memchr(text, '\0', len);
	bool host = false, port = false, tcp = true;
	size_t pos = 0, depth = 0;

	memset(a, 0, sizeof(*a));
	if (nul)
		len = (size_t)(nul - text);
	for (;;) {
		size_t key, key_len, val, val_len;

		while (pos < len && is_blank(text[pos]))
			pos++;
		if (pos == len)
			break;
		if (text[pos] == ')') {
			if (depth == 0)
				return -EINVAL;
			depth--;
			pos++;
			continue;
		}
		if (text[pos] != '(')
			return -EINVAL;
		pos++;
		while (pos < len && is_blank(text[pos]))
			pos++;
		for (key = pos; pos < len && is_key_char(text[pos]); pos++)
			;
		key_len = pos - key;
		while (pos < len && is_blank(text[pos]))
			pos++;
		if (key_len == 0 || pos == len || text[pos] != '=')
			return -EINVAL;
		pos++;
		while (pos < len && is_blank(text[pos]))
			pos++;
		if (pos < len && text[pos] == '(') {
			depth++;		/* a list: closed by a ')' of its own */
			continue;
		}
		for (val = pos; pos < len && text[pos] != '(' && text[pos] != ')'; pos++)
			;
		if (pos == len || text[pos] != ')')
			return -EINVAL;
		val_len = pos - val;
		while (val_len && is_blank(text[val + val_len - 1]))
			val_len--;
		pos++;
		if (key_is(text + key, key_len, "HOST")) {
			if (host || tns_host(text, val, val_len, a) < 0)
				return -EINVAL;
			host = true;
		} else if (key_is(text + key, key_len, "PORT")) {
			size_t end = 0;
			int64_t n = cthd_parse_decimal(text + val, val_len, &end, 5, 65535);

			if (port || n <= 0 || end != val_len)
				return -EINVAL;
			a->port = (uint16_t)n;
			a->port_off = val;
			a->port_len = val_len;
			port = true;
		} else if (key_is(text + key, key_len, "PROTOCOL")) {
			tcp = key_is(text + val, val_len, "tcp") || key_is(text + val, val_len, "tcps");
		}
	}
	if (depth || !host || !port)
		return -EINVAL;
	return tcp ? 0 : -EPROTONOSUPPORT;
}

/* --- the helper ------------------------------------------------------ */

#define TNS_OPT_THIRD_PARTY	0
#define TNS_OPT_HOST_NAMES	1

#define TNS_PENDING	(1u << 0)	/* the next server packet, a DATA, holds the redirect */
#define TNS_DATA_SEEN	(1u << 1)	/* data_seq: the DATA packet that held it */
#define TNS_SETTLED	(1u << 2)	/* ACCEPT or REFUSE: nothing more to read */
/*
 * The client's first packet was seen. The listener's REDIRECT is the first
 * packet tns reads, so without this its private data would still be all
 * zeroes when the listener resends it before the kernel has the verdict
 * (a slow daemon): the core continues from the state it sent last only
 * for private data that is not all zeroes (zeroes: a new connection), so
 * it would read the copy as a first REDIRECT again, and count its error
 * twice.
 */
#define TNS_OPENED	(1u << 3)

struct tns_priv {
	struct cthd_stream stream;	/* first: never all zeroes once seen */
	uint32_t data_seq;		/* where that DATA packet starts: read again if resent */
	uint16_t pending_len;		/* the REDIRECT's data length, already sent */
	uint8_t flags;
	uint8_t pad;
};

_Static_assert(sizeof(struct tns_priv) == 32, "tns private data layout");

struct tns_segment {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct tns_priv *priv;
	struct cthd_result *res;
	bool natted;
};

static const struct cthd_helper tns_helper;

static bool addr_eq(const struct cthd_conntrack *ct, const union cthd_addr *a,
		    const union cthd_addr *b)
{
	return !memcmp(a, b, ct->family == AF_INET ? 4 : 16);
}

/* No connection goes to these: unspecified, loopback, broadcast, multicast. */
static bool addr_is_special(int family, const union cthd_addr *a)
{
	static const uint8_t zero[16], loop6[16] = { [15] = 1 };
	const uint8_t *b = a->bytes;

	if (cthd_addr_is_multicast(family, a))
		return true;
	if (family == AF_INET)
		return !memcmp(b, zero, 4) || b[0] == 127 || !memcmp(b, "\xff\xff\xff\xff", 4);
	return !memcmp(b, zero, 16) || !memcmp(b, loop6, 16);
}

/* Where one value of the address goes, with its new text. */
struct tns_edit {
	size_t off, len;
	char text[INET6_ADDRSTRLEN];
	size_t text_len;
};

/*
 * Whether edits growing the packet by delta bytes (n_ed values, of which
 * `resized` change a length) fit the packet at data[0, len): its length
 * field, the redirect data's length (at len_off, 0: none) and res's room
 * for them, their length and checksum edits included. -ERANGE when a
 * length would not fit, -ENOSPC when res cannot take them all.
 */
static int tns_rewrite_fits(const struct tns_segment *seg, const uint8_t *data, size_t len,
			    size_t len_off, long delta, unsigned int n_ed, bool resized)
{
	bool wide = false;

	if (resized) {
		long total = (long)len + delta;

		tns_packet_len(data, len, &wide);
		if (total > (wide ? (long)TNS_PACKET_MAX : 0xffff) ||
		    (len_off && (long)be16_at(data + len_off) + delta > 0xffff))
			return -ERANGE;
		n_ed += 2 + (len_off != 0);
	}
	return seg->res->n_mangle + n_ed > CTHD_MANGLE_MAX ? -ENOSPC : 0;
}

/*
 * The edits of a rewritten address in the packet at payload offset
 * `offset`: its length field, its header checksum, the redirect data's
 * length (at len_off, 0: none) and the values, front to back. Fails as
 * tns_rewrite_fits(), adding nothing then.
 */
static int tns_rewrite(struct tns_segment *seg, const uint8_t *data, size_t len, size_t offset,
		       size_t len_off, struct tns_edit *ed, unsigned int n_ed)
{
	struct cthd_result *res = seg->res;
	long delta = 0;
	bool wide = false;
	uint8_t field[4];
	int rc;

	for (unsigned int i = 0; i < n_ed; i++)
		delta += (long)ed[i].text_len - (long)ed[i].len;
	rc = tns_rewrite_fits(seg, data, len, len_off, delta, n_ed, delta != 0);
	if (rc < 0)
		return rc;
	if (delta) {
		uint32_t total = (uint32_t)((long)len + delta);

		tns_packet_len(data, len, &wide);
		if (wide) {
			field[0] = (uint8_t)(total >> 24);
			field[1] = (uint8_t)(total >> 16);
			field[2] = (uint8_t)(total >> 8);
			field[3] = (uint8_t)total;
			cthd_result_add_mangle(res, offset, 4, field, 4);
		} else {
			field[0] = (uint8_t)(total >> 8);
			field[1] = (uint8_t)total;
			cthd_result_add_mangle(res, offset, 2, field, 2);
		}
		/* the header checksum no longer holds; Oracle sends and ignores 0 */
		if (data[6] || data[7])
			cthd_result_add_mangle(res, offset + 6, 2, "\0\0", 2);
		if (len_off) {
			uint16_t dlen = (uint16_t)(be16_at(data + len_off) + delta);

			field[0] = (uint8_t)(dlen >> 8);
			field[1] = (uint8_t)dlen;
			cthd_result_add_mangle(res, offset + len_off, 2, field, 2);
		}
	}
	for (unsigned int i = 0; i < n_ed; i++)
		cthd_result_add_mangle(res, offset + ed[i].off, ed[i].len, ed[i].text,
				       ed[i].text_len);
	return 0;
}

static size_t decimal_digits(uint32_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/*
 * The redirect data at data[text_off, text_off + text_len) of the packet
 * at payload offset `offset`: expect the client's connection to it, and
 * rewrite it under NAT. len_off: the redirect data's length field in this
 * packet (0: none); resizable: false when a length that counts the data
 * left already (the data follows a REDIRECT that gave its length).
 * complete: the text holds all the redirect data (else an address without
 * its end is cut, not malformed).
 */
static void tns_redirect_data(struct tns_segment *seg, const uint8_t *data, size_t len,
			      size_t offset, size_t text_off, size_t text_len, size_t len_off,
			      bool resizable, bool complete)
{
	const struct cthd_conntrack *ct = seg->ct;
	const struct cthd_tuple *orig = &ct->tuple[CTHD_DIR_ORIGINAL];
	const struct cthd_tuple *reply = &ct->tuple[CTHD_DIR_REPLY];
	const char *text = (const char *)data + text_off;
	struct cthd_result *res = seg->res;
	struct cthd_nat nat = cthd_conntrack_nat(ct);
	struct tns_edit ed[2];
	struct tns_address a;
	struct cthd_expect exp;
	unsigned int n_ed = 0;
	bool own, host_edit = false;
	uint16_t port;
	int rc;

	rc = tns_parse_address(text, text_len, &a);
	if (rc == -EPROTONOSUPPORT)
		return;			/* not a TCP address: nothing to expect */
	if (rc < 0) {
		if (!complete && !memchr(text, '\0', text_len))
			res->lost++;	/* cut by the end of the packet */
		else
			res->parse_errors++;
		return;
	}
	if (a.port < 1024) {
		res->parse_errors++;	/* never a privileged port, of anyone */
		return;
	}
	if (a.family == AF_UNSPEC) {
		/* conntrackd does not resolve names either; nor may a helper */
		if (!cthd_option(&tns_helper, seg->pkt, TNS_OPT_HOST_NAMES)) {
			res->lost++;
			return;
		}
		own = true;		/* taken for the listener itself */
	} else {
		if (a.family != ct->family || addr_is_special(a.family, &a.addr)) {
			res->parse_errors++;
			return;
		}
		own = addr_eq(ct, &a.addr, &reply->src) || addr_eq(ct, &a.addr, &orig->dst);
		if (!own && !cthd_option(&tns_helper, seg->pkt, TNS_OPT_THIRD_PARTY)) {
			res->parse_errors++;	/* another host: refused by default */
			return;
		}
		if (!own && nat.dst_nat) {
			res->lost++;	/* a host behind DNAT the client cannot reach */
			return;
		}
	}

	if (own) {
		/* to the listener, at the address the client reaches it on */
		cthd_expect_to_sender(&exp, ct, CTHD_DIR_REPLY, IPPROTO_TCP, a.port, a.port,
				      false);
		host_edit = a.family != AF_UNSPEC && !addr_eq(ct, &a.addr, &orig->dst);
	} else {
		size_t alen = ct->family == AF_INET ? 4 : 16;

		memset(&exp, 0, sizeof(exp));
		exp.l4proto = IPPROTO_TCP;
		exp.tuple.src = orig->src;
		memset(&exp.mask.src, 0xff, alen);
		exp.tuple.dst = a.addr;
		memset(&exp.mask.dst, 0xff, alen);
		exp.tuple.dport = a.port;
		exp.mask.dport = 0xffff;
		if (seg->natted) {
			/* SNAT of the client: the connection follows it */
			exp.nat = true;
			exp.nat_dir = CTHD_DIR_ORIGINAL;
			exp.nat_addr = a.addr;
			exp.nat_port = a.port;
			snprintf(exp.expectfn, sizeof(exp.expectfn), "nat-follow-master");
		}
	}

	if (exp.nat) {
		struct tns_edit *h = NULL, *pe;
		long host_delta = 0, port_grows;
		uint32_t last = (uint32_t)a.port + CTHD_NATPORT_SEARCH - 1;

		/*
		 * Everything that can fail is checked before the core reserves
		 * a port (the packet goes out, and the reservation with it,
		 * which for this one-expectation class evicts the master's
		 * previous one): an expectation without its rewrite would send the
		 * client where nothing waits, a reservation without either
		 * would refuse the port to others for nothing.
		 */
		if (res->n_expect >= CTHD_EXPECT_MAX) {
			res->lost++;
			return;
		}
		if (host_edit) {
			h = &ed[n_ed++];
			h->off = text_off + a.host_off;
			h->len = a.host_len;
			if (!inet_ntop(ct->family, &orig->dst, h->text, sizeof(h->text))) {
				res->lost++;
				return;
			}
			h->text_len = strlen(h->text);
			host_delta = (long)h->text_len - (long)h->len;
		}
		/*
		 * The port the core gives: the announced one, or one of the
		 * next CTHD_NATPORT_SEARCH, written in as many digits as the
		 * listener's (leading zeros kept), or more.
		 */
		if (last > 65535)
			last = 65535;
		port_grows = (long)decimal_digits(last) - (long)a.port_len;
		if (port_grows < 0)
			port_grows = 0;
		if ((!resizable && (host_delta || port_grows)) ||
		    tns_rewrite_fits(seg, data, len, len_off, host_delta + port_grows, n_ed + 1,
				     host_delta || port_grows) < 0) {
			res->lost++;
			return;
		}
		port = cthd_result_nat_port(res, ct, &exp);
		if (!port) {
			res->lost++;
			return;
		}
		if (port != a.port) {
			pe = &ed[n_ed++];
			pe->off = text_off + a.port_off;
			pe->len = a.port_len;
			pe->text_len = (size_t)snprintf(pe->text, sizeof(pe->text), "%0*u",
							(int)a.port_len, port);
		}
		/* front to back: PORT may come before HOST */
		if (n_ed == 2 && ed[1].off < ed[0].off) {
			struct tns_edit t = ed[0];

			ed[0] = ed[1];
			ed[1] = t;
		}
		/* fits, as checked above */
		if (n_ed && tns_rewrite(seg, data, len, offset, len_off, ed, n_ed) < 0) {
			res->lost++;
			return;
		}
	}
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
}

/* A REDIRECT: its data length, then (usually) the data. */
static void tns_redirect(struct tns_segment *seg, const uint8_t *data, size_t len,
			 size_t offset, uint8_t *flags)
{
	size_t body, dlen;

	if (len < TNS_HEADER_LEN + 2) {
		seg->res->parse_errors++;
		return;
	}
	dlen = be16_at(data + TNS_HEADER_LEN);
	body = len - TNS_HEADER_LEN - 2;
	if (dlen == 0 || body == 0) {
		/* the data follows in the next DATA packet (conntrackd's case too) */
		*flags |= TNS_PENDING;
		seg->priv->pending_len = (uint16_t)dlen;
		return;
	}
	tns_redirect_data(seg, data, len, offset, TNS_HEADER_LEN + 2, body < dlen ? body : dlen,
			  TNS_HEADER_LEN, true, body >= dlen);
}

static int tns_message(void *ctx, const uint8_t *data, size_t len, size_t offset)
{
	struct tns_segment *seg = ctx;
	struct tns_priv *p = seg->priv;
	uint32_t seq = seg->pkt->tcp_seq + (uint32_t)offset;
	uint8_t flags = p->flags & ~TNS_PENDING;
	size_t dlen;

	if (p->flags & TNS_SETTLED)
		return 0;
	switch (data[4]) {
	case TNS_TYPE_ACCEPT:
	case TNS_TYPE_REFUSE:
		flags |= TNS_SETTLED;
		break;
	case TNS_TYPE_REDIRECT:
		tns_redirect(seg, data, len, offset, &flags);
		break;
	case TNS_TYPE_DATA:
		/* after its data flags; a copy of the one read is read again */
		if (!(p->flags & TNS_PENDING) &&
		    !((p->flags & TNS_DATA_SEEN) && p->data_seq == seq))
			break;
		p->data_seq = seq;
		flags |= TNS_DATA_SEEN;
		if (len <= TNS_HEADER_LEN + 2) {
			seg->res->parse_errors++;
			break;
		}
		dlen = len - TNS_HEADER_LEN - 2;
		if (p->pending_len && p->pending_len < dlen)
			dlen = p->pending_len;
		tns_redirect_data(seg, data, len, offset, TNS_HEADER_LEN + 2, dlen, 0,
				  p->pending_len == 0, !p->pending_len || dlen >= p->pending_len);
		break;
	}
	p->flags = flags;
	return 0;
}

static long tns_frame(void *ctx, const uint8_t *data, size_t avail)
{
	(void)ctx;
	return tns_packet_len(data, avail, NULL);
}

/*
 * A REDIRECT, or the DATA that holds its data, cut by the segment's end:
 * worth waiting for when no rewrite can change its length (see HELPERS.md);
 * under NAT not, and the message layer counts it lost (once: not here too).
 */
static bool tns_wants_whole(void *ctx, const uint8_t *data, size_t avail, size_t need)
{
	struct tns_segment *seg = ctx;
	uint8_t type;

	(void)need;
	if (avail < 5 || (seg->priv->flags & TNS_SETTLED))
		return false;
	type = data[4];
	if (type != TNS_TYPE_REDIRECT &&
	    !(type == TNS_TYPE_DATA && (seg->priv->flags & TNS_PENDING)))
		return false;
	return !seg->natted;
}

static const struct cthd_msg_ops tns_msg_ops = {
	.frame = tns_frame,
	.message = tns_message,
	.wants_whole = tns_wants_whole,
};

static int tns_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct tns_segment seg = {
		.pkt = pkt, .ct = ct, .priv = priv, .res = res,
		.natted = cthd_conntrack_is_natted(ct),
	};
	struct tns_priv before;
	int rc;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	/* only the listener redirects; after its ACCEPT or REFUSE, nothing */
	if (seg.priv->flags & TNS_SETTLED)
		return 0;
	if (pkt->dir != CTHD_DIR_REPLY) {
		if (!(seg.priv->flags & TNS_OPENED)) {
			seg.priv->flags |= TNS_OPENED;
			res->priv_changed = true;
		}
		return 0;
	}
	before = *seg.priv;
	rc = cthd_stream_messages(pkt, &seg.priv->stream, res, &tns_msg_ops, &seg);
	/* messages may set and clear a flag within one segment: compare */
	res->priv_changed = memcmp(&before, seg.priv, sizeof(before)) != 0;
	return rc;
}

/* conntrackd 1.4.7's policy: one expectation, 5 minutes */
static const struct cthd_helper tns_helper = {
	.name = "tns",
	.l4proto = IPPROTO_TCP,
	.default_port = 1521,
	.n_policies = 1,
	.policies = { { .name = "tns", .max_expected = 1, .timeout = 300 } },
	.priv_len = sizeof(struct tns_priv),
	.process = tns_process,
	.n_options = 2,
	.options = {
		{ .name = "third_party", .def = 0, .max = 1,
		  .privileged = "a redirect to a host that is not the listener's" },
		{ .name = "host_names", .def = 0, .max = 1 },
	},
};

CTHD_HELPER_REGISTER(tns_helper);
