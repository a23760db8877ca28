// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Amanda helper (UDP 10080, bsd authentication): the backup server's
 * request to amandad on the host it backs up is answered by a REP whose
 * CONNECT line names the TCP ports amandad listens on for the backup's
 * streams ("CONNECT DATA 11000 MESG 11001 INDEX 11002", and STATE and CMD
 * since Amanda 3.4); the server connects to each. Every named port opens
 * an expectation from the server to amandad's host, as nf_conntrack_amanda
 * does for the first three (conntrack-tools' helper attaches only the
 * last); under NAT each port is rewritten when the one
 * announced is taken on the address the server sees (nf_nat_amanda) and
 * the expectations follow the master's NAT. IPv4 and IPv6.
 *
 * Tighter than the kernel, which finds "CONNECT " anywhere in a packet of
 * either direction: only amandad's packets (the reply direction), only a
 * REP with Amanda's header, only a line that starts with CONNECT (text in
 * an OPTIONS line such as a host name is not one), each name once, numbers
 * that do not wrap; STATE and CMD too.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "amanda.h"

static const char *const amanda_names[] = {
	[AMANDA_DATA] = "DATA", [AMANDA_MESG] = "MESG", [AMANDA_INDEX] = "INDEX",
	[AMANDA_STATE] = "STATE", [AMANDA_CMD] = "CMD",
};

/* the length of the word at s[pos..end), up to a blank */
static size_t amanda_word(const char *s, size_t pos, size_t end)
{
	size_t n = 0;

	while (pos + n < end && s[pos + n] != ' ')
		n++;
	return n;
}

static bool amanda_word_is(const char *s, size_t pos, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s + pos, word, n);
}

/* "CONNECT" already read; [pos, end) holds " NAME port NAME port ..." */
static int amanda_parse_connect(const char *s, size_t pos, size_t end,
				struct amanda_connect *c)
{
	unsigned int seen = 0;

	while (pos < end) {
		size_t n;
		int stream = -1;
		int64_t port;

		if (s[pos++] != ' ')
			return -EINVAL;
		n = amanda_word(s, pos, end);
		for (int i = 0; i < AMANDA_STREAMS; i++)
			if (amanda_word_is(s, pos, n, amanda_names[i]))
				stream = i;
		if (stream < 0 || (seen & (1u << stream)))
			return -EINVAL;
		pos += n;
		if (pos >= end || s[pos++] != ' ')
			return -EINVAL;
		n = amanda_word(s, pos, end);
		if (amanda_word_is(s, pos, n, "-1")) {
			pos += n;
			port = 0;
		} else {
			size_t at = pos;

			port = cthd_parse_decimal(s, end, &pos, 5, 65535);
			if (port <= 0 || pos != at + n)
				return -EINVAL;
			c->ports[stream].off = at;
			c->ports[stream].len = n;
		}
		seen |= 1u << stream;
		c->ports[stream].port = (uint16_t)port;
	}
	return seen ? 1 : -EINVAL;
}

int amanda_parse(const char *pkt, size_t len, struct amanda_connect *c)
{
	const char *nl = memchr(pkt, '\n', len);
	size_t pos, n, line_end;
	bool rep = false;
	int found = 0;

	memset(c, 0, sizeof(*c));
	if (len < 7 || memcmp(pkt, "Amanda ", 7) || !nl)
		return -EINVAL;
	/* "Amanda <version> <type> HANDLE ...": the third word is the type */
	pos = 7;
	pos += amanda_word(pkt, pos, (size_t)(nl - pkt));
	if (pos + 1 >= (size_t)(nl - pkt))
		return -EINVAL;
	n = amanda_word(pkt, pos + 1, (size_t)(nl - pkt));
	rep = amanda_word_is(pkt, pos + 1, n, "REP");

	for (pos = (size_t)(nl - pkt) + 1; pos < len; pos = line_end + 1) {
		const char *e = memchr(pkt + pos, '\n', len - pos);
		int rc;

		line_end = e ? (size_t)(e - pkt) : len;
		if (!rep || line_end - pos < 7 || memcmp(pkt + pos, "CONNECT", 7))
			continue;
		if (line_end - pos > 7 && pkt[pos + 7] != ' ')
			continue;		/* another word, "CONNECTED" */
		if (found) {
			memset(c, 0, sizeof(*c));
			return -EINVAL;
		}
		rc = amanda_parse_connect(pkt, pos + 7, line_end, c);
		if (rc < 0) {
			memset(c, 0, sizeof(*c));	/* no half of a refused line */
			return rc;
		}
		found = 1;
	}
	return found;
}

/* Under NAT: tell the server the port it reaches, if not the one announced. */
static int amanda_rewrite(struct cthd_result *res, const char *pkt,
			  const struct amanda_port *p, uint16_t port)
{
	char text[8];
	int n = snprintf(text, sizeof(text), "%u", port);

	if ((size_t)n == p->len && !memcmp(text, pkt + p->off, p->len))
		return 0;
	return cthd_result_add_mangle(res, p->off, p->len, text, (size_t)n);
}

static int amanda_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			  void *priv, struct cthd_result *res)
{
	const char *text = (const char *)pkt->payload;
	bool natted = cthd_conntrack_is_natted(ct);
	struct amanda_connect c;
	int rc;

	(void)priv;
	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	/* amandad answers; the server's requests name no port */
	if (pkt->dir != CTHD_DIR_REPLY)
		return 0;
	rc = amanda_parse(text, pkt->payload_len, &c);
	if (rc < 0)
		res->parse_errors++;
	if (rc <= 0)
		return 0;
	/* in packet order, whatever the names' order: edits are sorted by offset */
	for (int i = 0; i < AMANDA_STREAMS; i++)
		for (int j = AMANDA_STREAMS - 1; j > i; j--)
			if (c.ports[j].off < c.ports[j - 1].off) {
				struct amanda_port tmp = c.ports[j];

				c.ports[j] = c.ports[j - 1];
				c.ports[j - 1] = tmp;
			}
	for (int i = 0; i < AMANDA_STREAMS; i++) {
		const struct amanda_port *p = &c.ports[i];
		struct cthd_expect exp;
		uint16_t port;

		if (!p->port)
			continue;
		/* the server connects to amandad's host, as it reaches it */
		cthd_expect_to_sender(&exp, ct, CTHD_DIR_REPLY, IPPROTO_TCP, p->port, p->port,
				      false);
		if (natted) {
			port = cthd_result_nat_port(res, ct, &exp);
			/* an expectation without its rewrite would send the server elsewhere */
			if (!port || amanda_rewrite(res, text, p, port) < 0) {
				res->lost++;
				continue;
			}
		}
		if (cthd_result_add_expect(res, &exp) < 0)
			res->lost++;
	}
	return 0;
}

/* nf_conntrack_amanda's 3 minutes; an expectation for each of the 5 streams */
static const struct cthd_helper amanda_helper = {
	.name = "amanda",
	.l4proto = IPPROTO_UDP,
	.default_port = 10080,
	.n_policies = 1,
	.policies = { { .name = "amanda", .max_expected = AMANDA_STREAMS, .timeout = 180 } },
	.priv_len = 0,
	.process = amanda_process,
};

CTHD_HELPER_REGISTER(amanda_helper);
