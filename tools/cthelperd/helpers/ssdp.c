// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SSDP helper (UDP 1900, UPnP Device Architecture 1.1): an M-SEARCH the
 * firewall sends to 239.255.255.250, ff02::c or ff05::c is answered by
 * unicast from each device of the link, to the query's source address and
 * port: no reply of the query's conntrack. The core's query mechanism
 * opens that, from the subnet of the query's source address, for 10 s
 * (the largest MX UDA 1.1 allows is 5 s). From any source port: UDA does
 * not fix the answer's (miniupnpd answers from 1900, other devices from
 * the socket they announce from).
 *
 * UPnP eventing (UDA 1.1, 4): the answers' conntracks get this helper
 * too, by the query's expectation. An answer's LOCATION URL opens TCP from
 * the answer's receiver to the answering device's own address and the
 * URL's port (the description, control and SUBSCRIBE connections), and
 * those connections get this helper again: a SUBSCRIBE on one, from the
 * side that opened it, whose CALLBACK URL names the subscriber's own
 * address, opens TCP from the device's address (any source port) to that
 * address and the CALLBACK's port, for the NOTIFY connections the device
 * opens. Nothing else: a LOCATION or CALLBACK naming another host (a third
 * party), a host name, another family or a NATed connection opens
 * nothing, counted as a refused message; the exact port named is the only
 * one opened. Both are permanent (every request and every event gets its
 * own connection) and last as long as their master's conntrack (an
 * answer's UDP timeout; the SUBSCRIBE connection's until its TIME_WAIT
 * ends) or the class's timeout. See HELPERS.md for what this leaves to
 * the administrator (long subscriptions) and how conntrackd 1.4.7
 * differs.
 *
 * Stateless: a SUBSCRIBE whose header block does not end in the segment
 * (cut by a small MSS) opens nothing and counts as lost.
 */
#include <errno.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "../helper.h"
#include "ssdp.h"

#define SSDP_PORT	1900
#define HTTP_PORT	80

enum ssdp_class { SSDP_ANSWER, SSDP_HTTP, SSDP_EVENT };

static const char *line_end(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);

	return nl && nl > s && nl[-1] == '\r' ? nl - 1 : NULL;
}

static bool isdigit_ascii(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The value of the header called name (of namelen bytes, any case, the
 * last one counts) in the header block that follows the start line of
 * msg; blanks around it trimmed. 1 found, 0 not there, -EINVAL no empty
 * line (cut) or a line without a colon.
 */
static int header_value(const char *msg, size_t len, const char *name, size_t namelen,
			const char **val, size_t *val_len)
{
	const char *s = msg, *end = msg + len, *eol;
	int found = 0;

	eol = line_end(s, len);
	if (!eol)
		return -EINVAL;
	s = eol + 2;
	for (;;) {
		const char *colon, *v, *vend;

		eol = line_end(s, (size_t)(end - s));
		if (!eol)
			return -EINVAL;		/* no empty line: cut or not SSDP */
		if (eol == s)
			return found;		/* the empty line */
		colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon)
			return -EINVAL;
		v = colon + 1;
		vend = eol;
		while (v < vend && is_blank(*v))
			v++;
		while (vend > v && is_blank(vend[-1]))
			vend--;
		if ((size_t)(colon - s) == namelen && !strncasecmp(s, name, namelen)) {
			*val = v;
			*val_len = (size_t)(vend - v);
			found = 1;
		}
		s = eol + 2;
	}
}

static bool starts_with(const void *data, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(data, prefix, n);
}

int ssdp_is_search(const void *data, size_t len)
{
	const char *v;
	size_t vlen;
	int rc;

	if (!starts_with(data, len, "M-SEARCH * HTTP/1.1\r\n"))
		return 0;
	rc = header_value(data, len, "MAN", 3, &v, &vlen);
	if (rc < 0)
		return rc;
	return rc == 1 && vlen == 15 && !memcmp(v, "\"ssdp:discover\"", 15) ? 1 : -EINVAL;
}

int ssdp_parse_url(const char *url, size_t len, int family, union cthd_addr *addr,
		   uint16_t *port)
{
	char text[INET6_ADDRSTRLEN];
	const char *host, *host_end, *p, *end = url + len;
	unsigned long n = 0;

	if (len < 7 || strncasecmp(url, "http://", 7))
		return -EINVAL;
	host = url + 7;
	if (host < end && *host == '[') {
		if (family != AF_INET6)
			return -EINVAL;
		host++;
		host_end = memchr(host, ']', (size_t)(end - host));
		if (!host_end)
			return -EINVAL;
		p = host_end + 1;
	} else {
		if (family != AF_INET)
			return -EINVAL;
		for (host_end = host; host_end < end && (isdigit_ascii(*host_end) || *host_end == '.'); host_end++)
			;
		p = host_end;
	}
	/* a literal address only: a host name would need a resolver */
	if (host_end == host || (size_t)(host_end - host) >= sizeof(text))
		return -EINVAL;
	memcpy(text, host, (size_t)(host_end - host));
	text[host_end - host] = '\0';
	memset(addr, 0, sizeof(*addr));
	if (inet_pton(family, text, addr) != 1)
		return -EINVAL;
	*port = HTTP_PORT;
	if (p < end && *p == ':') {
		const char *digits = ++p;

		while (p < end && isdigit_ascii(*p) && p - digits < 5)
			n = n * 10 + (unsigned long)(*p++ - '0');
		if (p == digits || n == 0 || n > 65535)
			return -EINVAL;
		*port = (uint16_t)n;
	}
	/* the authority ends here: a path, or nothing */
	if (p < end && *p != '/')
		return -EINVAL;
	return 1;
}

int ssdp_answer_location(const void *data, size_t len, int family, union cthd_addr *addr,
			 uint16_t *port)
{
	const char *v;
	size_t vlen;
	int rc;

	if (!starts_with(data, len, "HTTP/1.1 200 OK\r\n"))
		return 0;
	rc = header_value(data, len, "LOCATION", 8, &v, &vlen);
	if (rc <= 0)
		return rc < 0 ? rc : -EINVAL;
	return ssdp_parse_url(v, vlen, family, addr, port);
}

int ssdp_subscribe_callback(const void *data, size_t len, int family, union cthd_addr *addr,
			    uint16_t *port)
{
	const char *v, *close;
	size_t vlen;
	int rc;

	if (!starts_with(data, len, "SUBSCRIBE "))
		return 0;
	rc = header_value(data, len, "CALLBACK", 8, &v, &vlen);
	if (rc == -EINVAL && !memmem(data, len, "\r\n\r\n", 4))
		return -EAGAIN;			/* the header block goes on in another segment */
	if (rc <= 0)
		return rc;			/* a renewal (SID, no CALLBACK): nothing to open */
	/* "<url>" and maybe more: the device tries them in order; the first one counts */
	if (vlen < 2 || v[0] != '<')
		return -EINVAL;
	close = memchr(v, '>', vlen);
	if (!close)
		return -EINVAL;
	return ssdp_parse_url(v + 1, (size_t)(close - v - 1), family, addr, port);
}

/* 239.255.255.250, ff02::c (link) or ff05::c (site) */
static bool ssdp_group(int family, const union cthd_addr *a)
{
	static const uint8_t v4[4] = { 239, 255, 255, 250 };
	static const uint8_t link[16] = { 0xff, 0x02, [15] = 0x0c };
	static const uint8_t site[16] = { 0xff, 0x05, [15] = 0x0c };

	if (family == AF_INET)
		return !memcmp(a->bytes, v4, 4);
	return !memcmp(a->bytes, link, 16) || !memcmp(a->bytes, site, 16);
}

/* two tuple addresses, compared over the family's length */
static bool same_addr(int family, const union cthd_addr *a, const union cthd_addr *b)
{
	return !memcmp(a, b, family == AF_INET ? 4 : 16);
}

/*
 * TCP from the address from (exactly, any source port) to host:port,
 * permanent, of class cls; this helper again for the connections to a
 * LOCATION.
 */
static int expect_tcp(const struct cthd_conntrack *ct, const union cthd_addr *from,
		      const union cthd_addr *host, uint16_t port, enum ssdp_class cls,
		      struct cthd_result *res)
{
	size_t alen = ct->family == AF_INET ? 4 : 16;
	struct cthd_expect exp;

	memset(&exp, 0, sizeof(exp));
	exp.class = cls;
	exp.l4proto = IPPROTO_TCP;
	exp.tuple.src = *from;
	memset(&exp.mask.src, 0xff, alen);
	exp.tuple.dst = *host;
	memset(&exp.mask.dst, 0xff, alen);
	exp.tuple.dport = port;
	exp.mask.dport = 0xffff;
	exp.flags = NF_CT_EXPECT_PERMANENT;
	if (cls == SSDP_HTTP)
		snprintf(exp.helper, sizeof(exp.helper), "%s", "ssdp");
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
	return 0;
}

/*
 * The URL a message names (parsed: 1, or < 0 for a malformed or refused
 * one) must be the address the message comes from (owner); then the
 * connection from its receiver opens.
 */
static int url_expect(const struct cthd_conntrack *ct, int parsed, const union cthd_addr *url,
		      uint16_t port, const union cthd_addr *owner, const union cthd_addr *from,
		      enum ssdp_class cls, struct cthd_result *res)
{
	if (parsed == -EAGAIN) {
		res->lost++;
		return 0;
	}
	if (parsed == 0)
		return 0;
	/* another host's address (a third party), or translated addresses */
	if (parsed < 0 || !same_addr(ct->family, url, owner) || cthd_conntrack_is_natted(ct)) {
		res->parse_errors++;
		return 0;
	}
	return expect_tcp(ct, from, url, port, cls, res);
}

static int ssdp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	const struct cthd_tuple *t = &ct->tuple[pkt->dir];
	union cthd_addr url;
	uint16_t port = 0;
	int parsed;

	(void)priv;
	if (ct->l4proto == IPPROTO_TCP) {
		/* the subscriber opened the connection: SUBSCRIBE goes that way */
		if (pkt->dir != CTHD_DIR_ORIGINAL || !pkt->payload_len)
			return 0;
		parsed = ssdp_subscribe_callback(pkt->payload, pkt->payload_len, ct->family,
						 &url, &port);
		/* NOTIFY connections come from the device's address, to the subscriber */
		return url_expect(ct, parsed, &url, port, &t->src, &t->dst, SSDP_EVENT, res);
	}
	if (pkt->dir == CTHD_DIR_ORIGINAL && ssdp_group(ct->family, &t->dst)) {
		unsigned int n = res->n_expect;

		cthd_query_result(pkt, ct, ssdp_is_search(pkt->payload, pkt->payload_len),
				  CTHD_QUERY_MULTICAST, 0, res);
		/* the answers' conntracks get this helper, for their LOCATION */
		if (res->n_expect > n)
			snprintf(res->expect[n].helper, sizeof(res->expect[n].helper), "%s", "ssdp");
		return 0;
	}
	/* an answer, from its sender's address: the description connections */
	parsed = ssdp_answer_location(pkt->payload, pkt->payload_len, ct->family, &url, &port);
	return url_expect(ct, parsed, &url, port, &t->src, &t->dst, SSDP_HTTP, res);
}

static const struct cthd_helper ssdp_helper = {
	.name = "ssdp",
	.l4proto = IPPROTO_UDP,
	/* the LOCATION connections get this helper: registered for TCP too */
	.also_l4proto = IPPROTO_TCP,
	.default_port = SSDP_PORT,
	.n_policies = 3,
	/* an answer's LOCATION: 300 s, the answer's UDP timeout caps it anyway;
	 * a CALLBACK: 1800 s, UDA's usual subscription */
	.policies = { [SSDP_ANSWER] = { .name = "ssdp", .max_expected = 1, .timeout = 10 },
		      [SSDP_HTTP] = { .name = "ssdp-http", .max_expected = 1, .timeout = 300 },
		      [SSDP_EVENT] = { .name = "ssdp-event", .max_expected = 1, .timeout = 1800 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = ssdp_process,
};

CTHD_HELPER_REGISTER(ssdp_helper);
