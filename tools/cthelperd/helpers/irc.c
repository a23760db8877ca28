// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IRC helper: a DCC offer a client sends (PRIVMSG <nick> :\1DCC SEND|CHAT|
 * MOVE|TSEND|SCHAT ... <addr> <port> ...\1) opens an expectation for the
 * peer's connection to the announced port, from any address (the peer is
 * another user, not the server), as nf_conntrack_irc does; under NAT the
 * announced address and port are rewritten (nf_nat_irc) and the
 * expectation follows the master's NAT.
 *
 * The kernel's checks, and tighter ones:
 * - only the client's lines, only established packets, only whole lines at
 *   line starts (the core's stream layer), only a PRIVMSG whose message
 *   starts with the CTCP, which must be closed by \1: a server that makes
 *   the client echo an offer (PING/PONG, a CTCP reply; CVE-2022-2663)
 *   opens nothing;
 * - the address must be the sender's own, as it is or as the server sees
 *   it after NAT; numbers that would wrap (an address over 32 bits, a port
 *   over 16) are refused, not truncated onto the sender's own;
 * - no privileged port (below 1024); port 0 is a passive offer (the peer
 *   listens): nothing to expect, the address is still rewritten.
 * IPv6: an offer on an IPv6 connection carries an IPv6 literal (irssi,
 * WeeChat), which must be the sender's own; the kernel helper is IPv4 only.
 * RESUME and ACCEPT carry no address and are left as they are.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../helper.h"
#include "irc.h"

struct irc_type {
	const char *word;
	enum irc_dcc_type type;
	bool has_address;
};

static const struct irc_type irc_types[] = {
	{ "SEND", IRC_DCC_SEND, true },
	{ "CHAT", IRC_DCC_CHAT, true },
	{ "MOVE", IRC_DCC_MOVE, true },
	{ "TSEND", IRC_DCC_TSEND, true },
	{ "SCHAT", IRC_DCC_SCHAT, true },
	{ "RESUME", IRC_DCC_RESUME, false },
	{ "ACCEPT", IRC_DCC_ACCEPT, false },
};

/* s[0..len) is a prefix of (or equal to) the first len bytes of word. */
static bool irc_prefix_of(const char *s, size_t len, const char *word)
{
	size_t wlen = strlen(word);

	return strncasecmp(s, word, len < wlen ? len : wlen) == 0;
}

/* Past the position where the next blank-separated word ends. */
static size_t irc_word_end(const char *s, size_t len, size_t pos)
{
	while (pos < len && s[pos] != ' ')
		pos++;
	return pos;
}

/*
 * Where the message of a PRIVMSG starts (after " :"), or 0 when the line is
 * not a PRIVMSG with a message. With `partial`, a line that could still
 * become one returns len.
 */
static size_t irc_privmsg_text(const char *s, size_t len, bool partial)
{
	size_t pos = 0;

	if (len && s[0] == ':') {		/* a prefix: ":nick!user@host " */
		pos = irc_word_end(s, len, 0);
		if (pos == len)
			return partial ? len : 0;
		while (pos < len && s[pos] == ' ')
			pos++;
	}
	if (len - pos < 8)
		return partial && irc_prefix_of(s + pos, len - pos, "PRIVMSG ") ? len : 0;
	if (strncasecmp(s + pos, "PRIVMSG ", 8))
		return 0;
	pos += 8;
	while (pos < len && s[pos] == ' ')
		pos++;
	if (pos == len)
		return partial ? len : 0;
	if (s[pos] == ':')			/* no target */
		return 0;
	pos = irc_word_end(s, len, pos);
	while (pos < len && s[pos] == ' ')
		pos++;
	if (pos == len)
		return partial ? len : 0;
	return s[pos] == ':' ? pos + 1 : 0;
}

/* "<addr>": a decimal IPv4 address or an IPv6 literal, the whole word. */
static int irc_parse_addr(const char *s, size_t start, size_t end, struct irc_dcc *dcc)
{
	size_t pos = start;
	int64_t v;

	memset(&dcc->addr, 0, sizeof(dcc->addr));
	if (memchr(s + start, ':', end - start)) {
		if (cthd_parse_addr(AF_INET6, s + start, end - start, &dcc->addr) < 0)
			return -EINVAL;
		dcc->family = AF_INET6;
		return 0;
	}
	v = cthd_parse_decimal(s, end, &pos, 10, UINT32_MAX);
	if (v < 0 || pos != end)
		return -EINVAL;
	dcc->addr.ip = htonl((uint32_t)v);
	dcc->family = AF_INET;
	return 0;
}

int irc_parse_line(const char *line, size_t len, struct irc_dcc *dcc)
{
	const struct irc_type *type = NULL;
	size_t pos, end, word, stop;
	const char *close;
	int64_t port;

	memset(dcc, 0, sizeof(*dcc));
	pos = irc_privmsg_text(line, len, false);
	if (!pos || len - pos < 5 || strncasecmp(line + pos, "\1DCC ", 5))
		return 0;
	pos += 5;
	word = irc_word_end(line, len, pos);
	for (size_t i = 0; i < sizeof(irc_types) / sizeof(irc_types[0]); i++)
		if (word - pos == strlen(irc_types[i].word) &&
		    !strncasecmp(line + pos, irc_types[i].word, word - pos))
			type = &irc_types[i];
	if (!type)
		return 0;
	dcc->type = type->type;
	if (!type->has_address)
		return 0;
	/* the CTCP ends at the next \1 */
	close = memchr(line + pos, '\1', len - pos);
	if (!close)
		return -EINVAL;
	end = (size_t)(close - line);
	if (word >= end)
		return -EINVAL;
	pos = word + 1;

	/* the file name (or the chat protocol), quoted when it holds blanks */
	if (pos < end && line[pos] == '"') {
		const char *q = memchr(line + pos + 1, '"', end - pos - 1);

		if (!q)
			return -EINVAL;
		stop = (size_t)(q - line) + 1;
	} else {
		stop = irc_word_end(line, end, pos);
	}
	if (stop == pos || stop >= end || line[stop] != ' ')
		return -EINVAL;
	pos = stop + 1;

	/* <addr> <port>, single blanks, as clients write them */
	dcc->arg_off = pos;
	stop = irc_word_end(line, end, pos);
	if (stop == pos || stop >= end || irc_parse_addr(line, pos, stop, dcc) < 0)
		return -EINVAL;
	pos = stop + 1;
	port = cthd_parse_decimal(line, end, &pos, 5, 65535);
	if (port < 0 || (pos < end && line[pos] != ' '))
		return -EINVAL;
	dcc->port = (uint16_t)port;
	dcc->arg_len = pos - dcc->arg_off;
	return 1;
}

int irc_format_arg(int family, const union cthd_addr *addr, uint16_t port,
		   char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	int n;

	if (family == AF_INET)
		n = snprintf(buf, size, "%u %u", (unsigned int)ntohl(addr->ip), port);
	else if (family == AF_INET6 && inet_ntop(AF_INET6, addr, text, sizeof(text)))
		n = snprintf(buf, size, "%s %u", text, port);
	else
		return -EINVAL;
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* --- lines --------------------------------------------------------- */

struct irc_segment {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
	bool natted;
};

/*
 * The sender's own address, as it is or as the server sees it after NAT
 * (a client may know its public address), in the connection's family.
 */
static bool irc_addr_is_senders(const struct irc_segment *seg, const struct irc_dcc *dcc)
{
	enum cthd_dir dir = seg->pkt->dir;
	size_t alen = dcc->family == AF_INET ? 4 : 16;

	return dcc->family == seg->ct->family &&
	       (!memcmp(&dcc->addr, &seg->ct->tuple[dir].src, alen) ||
		!memcmp(&dcc->addr, &seg->ct->tuple[cthd_dir_other(dir)].dst, alen));
}

/* Under NAT: tell the peer the address it sees and port, if not so already. */
static int irc_rewrite(const struct irc_segment *seg, const char *line, size_t offset,
		       const struct irc_dcc *dcc, uint16_t port)
{
	const union cthd_addr *seen = &seg->ct->tuple[cthd_dir_other(seg->pkt->dir)].dst;
	char text[CTHD_MANGLE_DATA_MAX];
	int n = irc_format_arg(dcc->family, seen, port, text, sizeof(text));

	if (n < 0)
		return n;
	if ((size_t)n == dcc->arg_len && !memcmp(text, line + dcc->arg_off, dcc->arg_len))
		return 0;
	return cthd_result_add_mangle(seg->res, offset + dcc->arg_off, dcc->arg_len, text,
				      (size_t)n);
}

static int irc_line(void *ctx, const char *line, size_t len, size_t offset)
{
	struct irc_segment *seg = ctx;
	struct cthd_result *res = seg->res;
	struct cthd_expect exp;
	struct irc_dcc dcc;
	uint16_t port;
	int rc;

	rc = irc_parse_line(line, len, &dcc);
	if (rc == 0)
		return 0;
	/* malformed, forged (CVE-2022-2663) or towards a privileged port */
	if (rc < 0 || !irc_addr_is_senders(seg, &dcc) || (dcc.port && dcc.port < 1024)) {
		res->parse_errors++;
		return 0;
	}
	if (dcc.port == 0) {		/* passive: the peer listens */
		if (seg->natted && irc_rewrite(seg, line, offset, &dcc, 0) < 0)
			res->lost++;
		return 0;
	}
	cthd_expect_to_sender(&exp, seg->ct, seg->pkt->dir, IPPROTO_TCP, dcc.port, dcc.port,
			      true);
	if (seg->natted) {
		/*
		 * Room for the rewrite first (it may turn out not to need it):
		 * the core's reservation stays with the packet that goes out,
		 * and it may evict one of the master's that the kernel keeps.
		 */
		if (res->n_mangle >= CTHD_MANGLE_MAX) {
			res->lost++;
			return 0;
		}
		port = cthd_result_nat_port(res, seg->ct, &exp);
		/* an expectation without its rewrite would point the peer elsewhere */
		if (!port || irc_rewrite(seg, line, offset, &dcc, port) < 0) {
			res->lost++;
			return 0;
		}
	}
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
	return 0;
}

/*
 * A cut line that may be an offer: a PRIVMSG, or its start, whose message
 * starts (or may start) with "\1DCC ". Not under NAT, where its rewrite
 * changes the length (see HELPERS.md): counted lost.
 */
static bool irc_wants_whole(void *ctx, const char *line, size_t len)
{
	struct irc_segment *seg = ctx;
	size_t pos = irc_privmsg_text(line, len, true);

	if (!pos || !irc_prefix_of(line + pos, len - pos, "\1DCC "))
		return false;
	if (!seg->natted)
		return true;
	seg->res->lost++;
	return false;
}

static const struct cthd_line_ops irc_line_ops = {
	.line = irc_line,
	.wants_whole = irc_wants_whole,
};

static int irc_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct irc_segment seg = {
		.pkt = pkt, .ct = ct, .res = res, .natted = cthd_conntrack_is_natted(ct),
	};
	struct irc_priv *st = priv;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	/* offers come from the client; the server's lines are not read */
	if (pkt->dir != CTHD_DIR_ORIGINAL)
		return 0;
	return cthd_stream_lines(pkt, &st->stream, res, &irc_line_ops, &seg);
}

/* max_dcc_channels and dcc_timeout of nf_conntrack_irc: Policy irc { ... } */
static const struct cthd_helper irc_helper = {
	.name = "irc",
	.l4proto = IPPROTO_TCP,
	.default_port = 6667,
	.n_policies = 1,
	.policies = { { .name = "irc", .max_expected = 8, .timeout = 300 } },
	.priv_len = sizeof(struct irc_priv),
	.process = irc_process,
};

CTHD_HELPER_REGISTER(irc_helper);
