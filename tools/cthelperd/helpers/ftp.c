// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FTP helper: opens an expectation for the data connection a control line
 * announces (PORT, EPRT, 227 PASV, 229 EPSV; IPv4 and IPv6) and, when the
 * firewall NATs the control connection, rewrites the announced address the
 * way nf_nat_ftp does and binds the expectation to follow the master's NAT.
 *
 * Where lines start is the core's stream layer's business (stream.c): this
 * file sees whole lines. Its only per-connection state is the stream
 * layer's, which the kernel keeps with the conntrack (CTA_HELP_INFO): a
 * restarted daemon continues where the previous one stopped.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../helper.h"
#include "ftp.h"

struct ftp_keyword {
	const char *text;	/* including the separating space */
	size_t len;
	enum cthd_dir dir;
	enum ftp_cmd cmd;
};

static const struct ftp_keyword ftp_keywords[] = {
	{ "PORT ", 5, CTHD_DIR_ORIGINAL, FTP_CMD_PORT },
	{ "EPRT ", 5, CTHD_DIR_ORIGINAL, FTP_CMD_EPRT },
	{ "227 ", 4, CTHD_DIR_REPLY, FTP_CMD_PASV },
	{ "229 ", 4, CTHD_DIR_REPLY, FTP_CMD_EPSV },
};

/* Case-insensitive, like the kernel helper: clients send "port" too. */
static bool ftp_prefix_matches(const char *s, size_t len, const char *kw, size_t kwlen)
{
	size_t n = len < kwlen ? len : kwlen;

	for (size_t i = 0; i < n; i++)
		if (toupper((unsigned char)s[i]) != (unsigned char)kw[i])
			return false;
	return true;
}

static const struct ftp_keyword *ftp_keyword_match(const char *line, size_t len,
						   enum cthd_dir dir)
{
	for (size_t i = 0; i < sizeof(ftp_keywords) / sizeof(ftp_keywords[0]); i++) {
		const struct ftp_keyword *kw = &ftp_keywords[i];

		if (kw->dir == dir && len >= kw->len &&
		    ftp_prefix_matches(line, len, kw->text, kw->len))
			return kw;
	}
	return NULL;
}

/* Decimal number of at most maxdigits digits, <= maxval. -1 if none. */
static long ftp_number(const char *s, size_t len, size_t *pos,
		       unsigned int maxdigits, long maxval)
{
	return (long)cthd_parse_decimal(s, len, pos, maxdigits, (uint64_t)maxval);
}

/* "h1,h2,h3,h4,p1,p2" (RFC 959) at *pos; fills an IPv4 arg. */
static bool ftp_parse_rfc959(const char *s, size_t len, size_t *pos,
			     struct ftp_arg *arg)
{
	uint8_t v[6];

	for (int i = 0; i < 6; i++) {
		long n;

		if (i > 0) {
			if (*pos >= len || s[*pos] != ',')
				return false;
			(*pos)++;
		}
		n = ftp_number(s, len, pos, 3, 255);
		if (n < 0)
			return false;
		v[i] = (uint8_t)n;
	}
	/* "1,2,3,4,5,6,7" is not an address and port */
	if (*pos < len && (s[*pos] == ',' || isdigit((unsigned char)s[*pos])))
		return false;
	arg->family = AF_INET;
	memset(&arg->addr, 0, sizeof(arg->addr));
	memcpy(arg->addr.bytes, v, 4);
	arg->port = (uint16_t)(v[4] << 8 | v[5]);
	return arg->port != 0;
}

/* RFC 2428: any printable ASCII except digits may delimit. */
static bool ftp_valid_delim(char c)
{
	return c >= 33 && c <= 126 && !isdigit((unsigned char)c);
}

static size_t ftp_skip_spaces(const char *s, size_t len, size_t pos)
{
	while (pos < len && s[pos] == ' ')
		pos++;
	return pos;
}

/* A port terminated by delim, at *pos. */
static bool ftp_parse_delimited_port(const char *s, size_t len, size_t *pos,
				     char delim, uint16_t *port)
{
	long n = ftp_number(s, len, pos, 5, 65535);

	if (n <= 0 || *pos >= len || s[*pos] != delim)
		return false;
	(*pos)++;
	*port = (uint16_t)n;
	return true;
}

static int ftp_parse_port(const char *s, size_t len, size_t pos, struct ftp_arg *arg)
{
	pos = ftp_skip_spaces(s, len, pos);
	arg->arg_off = pos;
	if (!ftp_parse_rfc959(s, len, &pos, arg))
		return -EINVAL;
	arg->arg_len = pos - arg->arg_off;
	return 1;
}

/* EPRT <d><proto><d><address><d><port><d> */
static int ftp_parse_eprt(const char *s, size_t len, size_t pos, struct ftp_arg *arg)
{
	char text[INET6_ADDRSTRLEN];
	size_t addr_start, addr_len;
	char delim;

	pos = ftp_skip_spaces(s, len, pos);
	arg->arg_off = pos;
	if (len - pos < 3)
		return -EINVAL;
	delim = s[pos];
	if (!ftp_valid_delim(delim) || s[pos + 2] != delim)
		return -EINVAL;
	if (s[pos + 1] == '1')
		arg->family = AF_INET;
	else if (s[pos + 1] == '2')
		arg->family = AF_INET6;
	else
		return -EINVAL;
	addr_start = pos + 3;
	for (pos = addr_start; pos < len && s[pos] != delim; pos++)
		;
	addr_len = pos - addr_start;
	if (pos >= len || addr_len == 0 || addr_len >= sizeof(text))
		return -EINVAL;
	memcpy(text, s + addr_start, addr_len);
	text[addr_len] = '\0';
	memset(&arg->addr, 0, sizeof(arg->addr));
	if (inet_pton(arg->family, text, &arg->addr) != 1)
		return -EINVAL;
	pos++;
	if (!ftp_parse_delimited_port(s, len, &pos, delim, &arg->port))
		return -EINVAL;
	arg->delim = delim;
	arg->arg_len = pos - arg->arg_off;
	return 1;
}

/*
 * 227 replies: RFC 1123 tells clients to scan for the first digit, since
 * servers vary the text ("(h,h,h,h,p,p)", "=h,h,...", no parentheses, extra
 * text after). Try each number start until six numbers parse.
 */
static int ftp_parse_227(const char *s, size_t len, size_t pos, struct ftp_arg *arg)
{
	for (; pos < len; pos++) {
		size_t end = pos;

		if (!isdigit((unsigned char)s[pos]) ||
		    isdigit((unsigned char)s[pos - 1]))
			continue;
		if (ftp_parse_rfc959(s, len, &end, arg)) {
			arg->arg_off = pos;
			arg->arg_len = end - pos;
			return 1;
		}
	}
	return -EINVAL;
}

/* 229 replies: "(|||port|)"; take the first <d><d><d>port<d> run. */
static int ftp_parse_229(const char *s, size_t len, size_t pos, struct ftp_arg *arg)
{
	for (; pos + 3 < len; pos++) {
		size_t end = pos + 3;
		char delim = s[pos];

		if (!ftp_valid_delim(delim) || s[pos + 1] != delim || s[pos + 2] != delim)
			continue;
		if (ftp_parse_delimited_port(s, len, &end, delim, &arg->port)) {
			arg->family = 0;
			arg->delim = delim;
			arg->arg_off = pos;
			arg->arg_len = end - pos;
			return 1;
		}
	}
	return -EINVAL;
}

int ftp_parse_line(const char *line, size_t len, enum cthd_dir dir,
		   struct ftp_arg *arg)
{
	const struct ftp_keyword *kw = ftp_keyword_match(line, len, dir);

	memset(arg, 0, sizeof(*arg));
	if (!kw)
		return 0;
	arg->cmd = kw->cmd;
	switch (kw->cmd) {
	case FTP_CMD_PORT:
		return ftp_parse_port(line, len, kw->len, arg);
	case FTP_CMD_EPRT:
		return ftp_parse_eprt(line, len, kw->len, arg);
	case FTP_CMD_PASV:
		return ftp_parse_227(line, len, kw->len, arg);
	case FTP_CMD_EPSV:
		return ftp_parse_229(line, len, kw->len, arg);
	case FTP_CMD_NONE:
		break;
	}
	return 0;
}

int ftp_format_arg(enum ftp_cmd cmd, char delim, int family,
		   const union cthd_addr *addr, uint16_t port,
		   char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	const uint8_t *b = addr->bytes;
	int n;

	switch (cmd) {
	case FTP_CMD_PORT:
	case FTP_CMD_PASV:
		if (family != AF_INET)
			return -EINVAL;
		n = snprintf(buf, size, "%u,%u,%u,%u,%u,%u", b[0], b[1], b[2], b[3],
			     port >> 8, port & 0xff);
		break;
	case FTP_CMD_EPRT:
		if (!inet_ntop(family, addr, text, sizeof(text)))
			return -EINVAL;
		n = snprintf(buf, size, "%c%c%c%s%c%u%c", delim,
			     family == AF_INET ? '1' : '2', delim, text, delim,
			     port, delim);
		break;
	case FTP_CMD_EPSV:
		n = snprintf(buf, size, "%c%c%c%u%c", delim, delim, delim, port, delim);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* --- lines --------------------------------------------------------- */

/* One packet's work: what the line callbacks need. */
struct ftp_segment {
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
	bool natted;
};

/* The address the sender of dir may announce: its own, before NAT. */
static bool ftp_addr_allowed(const struct ftp_segment *seg, const struct ftp_arg *arg)
{
	const struct cthd_tuple *t = &seg->ct->tuple[seg->pkt->dir];

	if (arg->cmd == FTP_CMD_EPSV)
		return true;
	if (arg->family != seg->ct->family)
		return false;
	/* the sender may not open holes towards other hosts (FTP bounce) */
	return memcmp(&arg->addr, &t->src, arg->family == AF_INET ? 4 : 16) == 0;
}

/*
 * Expect the data connection: from the peer (the other direction's source)
 * to the announced port on the address the peer sees for the sender, which
 * is the other direction's destination (equal to the announced address
 * without NAT). Under NAT, bind it to the master's NAT (nf_nat_ftp does the
 * same: exp->dir = !dir, saved_proto = announced port, nat-follow-master).
 */
static void ftp_build_expect(const struct ftp_segment *seg, const struct ftp_arg *arg,
			     struct cthd_expect *exp)
{
	/* the announced address is the sender's own (ftp_addr_allowed) */
	cthd_expect_to_sender(exp, seg->ct, seg->pkt->dir, IPPROTO_TCP, arg->port, arg->port,
			      false);
}

/*
 * A whole line at payload offset `offset`: expect, and under NAT tell the
 * peer the address it sees and a port no other expectation holds.
 */
static int ftp_line(void *ctx, const char *line, size_t len, size_t offset)
{
	struct ftp_segment *seg = ctx;
	struct cthd_result *res = seg->res;
	char text[CTHD_MANGLE_DATA_MAX];
	struct cthd_expect exp;
	struct ftp_arg arg;
	int rc, n;

	rc = ftp_parse_line(line, len, seg->pkt->dir, &arg);
	if (rc < 0 || (rc > 0 && !ftp_addr_allowed(seg, &arg)))
		res->parse_errors++;
	if (rc <= 0 || !ftp_addr_allowed(seg, &arg))
		return 0;

	ftp_build_expect(seg, &arg, &exp);
	if (seg->natted) {
		uint16_t port = cthd_result_nat_port(res, seg->ct, &exp);

		n = port ? ftp_format_arg(arg.cmd, arg.delim, seg->ct->family,
					  &seg->ct->tuple[cthd_dir_other(seg->pkt->dir)].dst,
					  port, text, sizeof(text)) : -ENOSPC;
		if (n < 0) {
			res->lost++;
			return 0;
		}
		/* an expectation without its rewrite would point the peer elsewhere */
		if (((size_t)n != arg.arg_len || memcmp(text, line + arg.arg_off, arg.arg_len)) &&
		    cthd_result_add_mangle(res, offset + arg.arg_off, arg.arg_len, text,
					   (size_t)n) < 0) {
			res->lost++;
			return 0;
		}
	}
	/* not under NAT: cthd_result_nat_port() refuses without room for it */
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
	return 0;
}

/*
 * A cut line worth holding the segment back for: a keyword, or its start.
 * Not under NAT, where the line may be rewritten: segments sent after the
 * dropped one may pass before its resent copy, and after an edit that
 * changes the length the peer would place them wrongly. Such a line is
 * counted lost.
 */
static bool ftp_wants_whole(void *ctx, const char *line, size_t len)
{
	struct ftp_segment *seg = ctx;

	for (size_t i = 0; i < sizeof(ftp_keywords) / sizeof(ftp_keywords[0]); i++) {
		const struct ftp_keyword *kw = &ftp_keywords[i];

		if (kw->dir != seg->pkt->dir || !ftp_prefix_matches(line, len, kw->text, kw->len))
			continue;
		if (!seg->natted)
			return true;
		seg->res->lost++;
		return false;
	}
	return false;
}

static const struct cthd_line_ops ftp_line_ops = {
	.line = ftp_line,
	.wants_whole = ftp_wants_whole,
};

static int ftp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct ftp_segment seg = {
		.pkt = pkt, .ct = ct, .res = res, .natted = cthd_conntrack_is_natted(ct),
	};
	struct ftp_priv *st = priv;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	return cthd_stream_lines(pkt, &st->stream, res, &ftp_line_ops, &seg);
}

static const struct cthd_helper ftp_helper = {
	.name = "ftp",
	.l4proto = IPPROTO_TCP,
	.default_port = 21,
	.n_policies = 1,
	.policies = { { .name = "ftp", .max_expected = 1, .timeout = 300 } },
	.priv_len = sizeof(struct ftp_priv),
	.process = ftp_process,
};

CTHD_HELPER_REGISTER(ftp_helper);
