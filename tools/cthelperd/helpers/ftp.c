// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FTP helper: opens an expectation for the data connection a control line
 * announces (PORT, EPRT, 227 PASV, 229 EPSV; IPv4 and IPv6) and, when the
 * firewall NATs the control connection, rewrites the announced address the
 * way nf_nat_ftp does and binds the expectation to follow the master's NAT.
 *
 * All per-connection state lives in struct ftp_priv, which the kernel keeps
 * with the conntrack (CTA_HELP_INFO): a restarted daemon continues where the
 * previous one stopped.
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

/* ftp_priv.state bits */
#define FTP_ST_SEEN(dir)	(1u << (dir))		/* next_seq[dir] is valid */
#define FTP_ST_MIDLINE(dir)	(1u << (2 + (dir)))	/* skip to the next '\n' */
#define FTP_ST_PEND_REPLY	(1u << 4)		/* pend belongs to the reply direction */
#define FTP_ST_PEND_DELETED	(1u << 5)		/* pend was cut out of the stream (NAT) */
#define FTP_ST_PEND_PACKED	(1u << 6)		/* pend holds nibbles, see ftp_priv */
/* never cleared: the core takes all-zero private data for a new connection */
#define FTP_ST_TRACKED		(1u << 7)
#define FTP_ST_KIND_SHIFT	8
#define FTP_ST_KIND_MASK	(7u << FTP_ST_KIND_SHIFT)

/* What pend holds: a keyword prefix, or a command's argument fragment. */
enum ftp_pend_kind {
	FTP_PEND_NONE = 0,
	FTP_PEND_RAW,		/* the line so far, shorter than a keyword */
	FTP_PEND_CMD,		/* + enum ftp_cmd: argument fragment */
};

/* Longest control line the helper reassembles across segments. */
#define FTP_LINE_MAX 512

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

static const struct ftp_keyword *ftp_keyword_of(enum ftp_cmd cmd)
{
	for (size_t i = 0; i < sizeof(ftp_keywords) / sizeof(ftp_keywords[0]); i++)
		if (ftp_keywords[i].cmd == cmd)
			return &ftp_keywords[i];
	return NULL;
}

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
	size_t start = *pos;
	long val = 0;

	while (*pos < len && isdigit((unsigned char)s[*pos])) {
		if (*pos - start >= maxdigits)
			return -1;
		val = val * 10 + (s[*pos] - '0');
		(*pos)++;
	}
	if (*pos == start || val > maxval)
		return -1;
	return val;
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

/* --- stream handling ------------------------------------------------ */

/* One packet's work: the state, the packet and where the helper writes. */
struct ftp_segment {
	struct ftp_priv *st;
	const struct cthd_packet *pkt;
	const struct cthd_conntrack *ct;
	struct cthd_result *res;
	bool natted;
	bool update_state;	/* false for a retransmission */
};

static unsigned int ftp_pend_kind(const struct ftp_priv *st)
{
	return (st->state & FTP_ST_KIND_MASK) >> FTP_ST_KIND_SHIFT;
}

static void ftp_pend_clear(struct ftp_priv *st)
{
	st->state &= ~(FTP_ST_KIND_MASK | FTP_ST_PEND_REPLY | FTP_ST_PEND_DELETED |
		       FTP_ST_PEND_PACKED);
	st->pend_len = 0;
	memset(st->pend, 0, sizeof(st->pend));
}

/* Packed alphabet: nibble 0-9 digits, 10 ',', 11 '.', 12 the delimiter. */
static int ftp_nibble_of(char c, char delim)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	if (c == ',')
		return 10;
	if (c == '.')
		return 11;
	if (delim && c == delim)
		return 12;
	return -1;
}

static char ftp_char_of(unsigned int nibble, char delim)
{
	static const char chars[] = "0123456789,.";

	return nibble < 12 ? chars[nibble] : delim;
}

/* Keep text in st->pend; false when it does not fit either form. */
static bool ftp_pend_store(struct ftp_priv *st, const char *text, size_t len)
{
	char delim = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (ftp_nibble_of(text[i], delim) >= 0)
			continue;
		if (delim || !ftp_valid_delim(text[i]))
			break;
		delim = text[i];
	}
	if (i == len && len <= FTP_PEND_MAX) {
		memset(st->pend, 0, sizeof(st->pend));
		st->pend[0] = (uint8_t)delim;
		for (i = 0; i < len; i++)
			st->pend[1 + i / 2] |= (uint8_t)(ftp_nibble_of(text[i], delim) << (i % 2 ? 0 : 4));
		st->state |= FTP_ST_PEND_PACKED;
	} else if (len <= FTP_PEND_BYTES) {
		memcpy(st->pend, text, len);
	} else {
		return false;
	}
	st->pend_len = (uint8_t)len;
	return true;
}

/* The kept text into buf (FTP_PEND_MAX bytes); returns its length. */
static size_t ftp_pend_load(const struct ftp_priv *st, char *buf)
{
	size_t len = st->pend_len;

	if (!(st->state & FTP_ST_PEND_PACKED)) {
		len = len < FTP_PEND_BYTES ? len : FTP_PEND_BYTES;
		memcpy(buf, st->pend, len);
		return len;
	}
	len = len < FTP_PEND_MAX ? len : FTP_PEND_MAX;
	for (size_t i = 0; i < len; i++) {
		uint8_t byte = st->pend[1 + i / 2];

		buf[i] = ftp_char_of(i % 2 ? byte & 0xf : byte >> 4, (char)st->pend[0]);
	}
	return len;
}

static bool ftp_pend_sane(const struct ftp_priv *st)
{
	unsigned int kind = ftp_pend_kind(st);

	if (kind == FTP_PEND_NONE)
		return true;
	if (kind == FTP_PEND_CMD + FTP_CMD_NONE || kind > FTP_PEND_CMD + FTP_CMD_EPSV)
		return false;
	return st->pend_len <= (st->state & FTP_ST_PEND_PACKED ? FTP_PEND_MAX : FTP_PEND_BYTES);
}

static bool ftp_pend_is_for(const struct ftp_priv *st, enum cthd_dir dir)
{
	return ftp_pend_kind(st) != FTP_PEND_NONE &&
	       !!(st->state & FTP_ST_PEND_REPLY) == (dir == CTHD_DIR_REPLY);
}

/*
 * Rebuild the start of the pending line into buf: the keyword and the
 * argument fragment, or the raw keyword prefix. Returns its length.
 */
static size_t ftp_pend_rebuild(const struct ftp_priv *st, char *buf)
{
	unsigned int kind = ftp_pend_kind(st);
	size_t n = 0;

	if (kind >= FTP_PEND_CMD) {
		const struct ftp_keyword *kw = ftp_keyword_of(kind - FTP_PEND_CMD);

		memcpy(buf, kw->text, kw->len);
		n = kw->len;
	}
	return n + ftp_pend_load(st, buf + n);
}

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
	enum cthd_dir dir = seg->pkt->dir;
	enum cthd_dir other = cthd_dir_other(dir);
	const struct cthd_tuple *peer = &seg->ct->tuple[other];

	memset(exp, 0, sizeof(*exp));
	exp->class = 0;
	exp->l4proto = IPPROTO_TCP;
	exp->tuple.src = peer->src;
	exp->tuple.dst = peer->dst;
	exp->tuple.sport = 0;
	exp->tuple.dport = arg->port;
	memset(&exp->mask.src, 0xff, seg->ct->family == AF_INET ? 4 : 16);
	memset(&exp->mask.dst, 0xff, seg->ct->family == AF_INET ? 4 : 16);
	exp->mask.sport = 0;
	exp->mask.dport = 0xffff;
	if (seg->natted) {
		exp->nat = true;
		exp->nat_dir = other;
		exp->nat_addr = arg->cmd == FTP_CMD_EPSV ?
				seg->ct->tuple[dir].src : arg->addr;
		exp->nat_port = arg->port;
		snprintf(exp->expectfn, sizeof(exp->expectfn), "nat-follow-master");
	}
}

/*
 * A complete line. line_pos is the payload offset of line[0]; it is
 * negative when the line started in an earlier segment (pending), and
 * then `deleted` says whether that part was cut out of the stream.
 */
static void ftp_handle_line(struct ftp_segment *seg, const char *line, size_t len,
			    long line_pos, bool deleted, size_t deleted_len)
{
	struct cthd_result *res = seg->res;
	struct ftp_arg arg;
	struct cthd_expect exp;
	char text[CTHD_MANGLE_DATA_MAX];
	long arg_pos, arg_end;
	int rc, n;

	if (len && line[len - 1] == '\r')
		len--;
	rc = ftp_parse_line(line, len, seg->pkt->dir, &arg);
	if (rc < 0)
		res->parse_errors++;
	if (rc <= 0 || !ftp_addr_allowed(seg, &arg)) {
		if (rc > 0)
			res->parse_errors++;
		goto restore;
	}

	ftp_build_expect(seg, &arg, &exp);
	if (cthd_result_add_expect(res, &exp) < 0) {
		res->lost++;
		goto restore;
	}
	if (!seg->natted)
		goto restore;

	n = ftp_format_arg(arg.cmd, arg.delim, seg->ct->family,
			   &seg->ct->tuple[cthd_dir_other(seg->pkt->dir)].dst,
			   arg.port, text, sizeof(text));
	if (n < 0) {
		res->lost++;
		goto restore;
	}
	arg_pos = line_pos + (long)arg.arg_off;
	arg_end = arg_pos + (long)arg.arg_len;
	if ((size_t)n == arg.arg_len && memcmp(text, line + arg.arg_off, arg.arg_len) == 0)
		goto restore;	/* same text: nothing to rewrite */
	if (arg_pos >= 0) {
		if (cthd_result_add_mangle(res, (size_t)arg_pos, arg.arg_len, text, (size_t)n) < 0)
			res->lost++;
		goto restore;
	}
	/*
	 * The argument began in a segment already sent, and was cut out of it:
	 * emit the rewritten argument here, followed by whatever of the cut
	 * fragment came after the argument.
	 */
	if (deleted && arg_pos + (long)deleted_len == 0) {
		size_t cut_rest = arg_end < 0 ? (size_t)-arg_end : 0;

		if ((size_t)n + cut_rest <= sizeof(text)) {
			memcpy(text + n, line + arg.arg_off + arg.arg_len, cut_rest);
			if (cthd_result_add_mangle(res, 0, arg_end > 0 ? (size_t)arg_end : 0,
						  text, (size_t)n + cut_rest) == 0)
				return;
		}
	}
	res->lost++;
restore:
	/* the fragment cut from the earlier segment must reach the peer */
	if (deleted && deleted_len &&
	    cthd_result_add_mangle(res, 0, 0, line + (size_t)(-line_pos) - deleted_len,
				  deleted_len) < 0)
		res->lost++;
}

/*
 * Where the argument of a cut line starts (or would start), so that only
 * the argument fragment is kept; the keyword is stored as a kind.
 */
static size_t ftp_fragment_start(const struct ftp_keyword *kw, const char *line, size_t len)
{
	size_t pos = kw->len;

	switch (kw->cmd) {
	case FTP_CMD_PORT:
	case FTP_CMD_EPRT:
		return ftp_skip_spaces(line, len, pos);
	case FTP_CMD_PASV:
		/* the address starts at the first digit (RFC 1123) */
		while (pos < len && !isdigit((unsigned char)line[pos]))
			pos++;
		return pos;
	case FTP_CMD_EPSV: {
		/* from the last '(' on, or the last 3 bytes: a delimiter run */
		const char *paren = memchr(line + pos, '(', len - pos);
		const char *last = paren;

		while (paren) {
			last = paren;
			paren = memchr(paren + 1, '(', len - (size_t)(paren + 1 - line));
		}
		if (last)
			return (size_t)(last - line);
		return len - pos > 3 ? len - 3 : pos;
	}
	default:
		return len;
	}
}

/*
 * The line is cut by the end of the segment. Keep what a later segment
 * needs to finish parsing it, in pend; under NAT cut an argument fragment
 * out of this segment so the whole argument can be rewritten in the next.
 * line_pos as in ftp_handle_line().
 */
static void ftp_handle_tail(struct ftp_segment *seg, const char *line, size_t len,
			    long line_pos, bool deleted, size_t deleted_len)
{
	enum cthd_dir dir = seg->pkt->dir;
	const struct ftp_keyword *kw = ftp_keyword_match(line, len, dir);
	struct ftp_priv next = *seg->st;
	unsigned int kind = FTP_PEND_NONE;
	size_t frag = 0;
	bool delete_now = false;

	if (len && line[len - 1] == '\r') {
		/* only the '\n' is missing: the line is complete, handle it now */
		ftp_handle_line(seg, line, len, line_pos, deleted, deleted_len);
		if (seg->update_state) {
			if (ftp_pend_is_for(seg->st, dir))
				ftp_pend_clear(seg->st);
			seg->st->state |= FTP_ST_MIDLINE(dir);
		}
		return;
	}
	if (kw) {
		kind = FTP_PEND_CMD + kw->cmd;
		frag = ftp_fragment_start(kw, line, len);
	} else {
		for (size_t i = 0; i < sizeof(ftp_keywords) / sizeof(ftp_keywords[0]); i++)
			if (ftp_keywords[i].dir == dir && len < ftp_keywords[i].len &&
			    ftp_prefix_matches(line, len, ftp_keywords[i].text, ftp_keywords[i].len))
				kind = FTP_PEND_RAW;
	}

	/*
	 * The state after this segment: what to keep, or skip the line's rest.
	 * One line start is kept: the other direction's survives unless this
	 * one needs the room.
	 */
	if (ftp_pend_is_for(&next, dir)) {
		ftp_pend_clear(&next);
	} else if (kind != FTP_PEND_NONE && ftp_pend_kind(&next) != FTP_PEND_NONE) {
		ftp_pend_clear(&next);
		seg->res->lost++;
	}
	if (kind != FTP_PEND_NONE && !ftp_pend_store(&next, line + frag, len - frag)) {
		ftp_pend_clear(&next);
		seg->res->lost++;
		kind = FTP_PEND_NONE;
	}

	if (kind >= FTP_PEND_CMD && seg->natted && kw->cmd != FTP_CMD_EPSV &&
	    len > frag) {
		/* cut only if this segment keeps a byte: an empty one is never acked */
		long frag_pos = line_pos + (long)frag;

		if (frag_pos > 0) {
			delete_now = cthd_result_add_mangle(seg->res, (size_t)frag_pos,
						seg->pkt->payload_len - (size_t)frag_pos,
						NULL, 0) == 0;
			if (!delete_now)
				seg->res->lost++;
		}
	}
	if (deleted && deleted_len && !delete_now &&
	    cthd_result_add_mangle(seg->res, 0, 0, line + (size_t)(-line_pos) - deleted_len,
				  deleted_len) < 0)
		seg->res->lost++;

	if (!seg->update_state)
		return;
	if (kind == FTP_PEND_NONE) {
		next.state |= FTP_ST_MIDLINE(dir);
	} else {
		next.state &= ~FTP_ST_MIDLINE(dir);
		next.state |= (uint16_t)(kind << FTP_ST_KIND_SHIFT);
		if (dir == CTHD_DIR_REPLY)
			next.state |= FTP_ST_PEND_REPLY;
		if (delete_now)
			next.state |= FTP_ST_PEND_DELETED;
	}
	*seg->st = next;
}

/*
 * Decide where parsing starts: at a line start, after a pending line's
 * beginning, or after the rest of a line that is of no interest.
 */
static int ftp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       void *priv, struct cthd_result *res)
{
	struct ftp_priv st;
	struct ftp_segment seg = {
		.st = &st, .pkt = pkt, .ct = ct, .res = res,
		.natted = cthd_conntrack_is_natted(ct), .update_state = true,
	};
	const char *data = (const char *)pkt->payload;
	size_t len = pkt->payload_len, pos = 0;
	enum cthd_dir dir = pkt->dir;
	char line[FTP_LINE_MAX];
	size_t prefix_len = 0, deleted_len = 0;
	bool deleted = false;

	if (ct->l4proto != IPPROTO_TCP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	if (len == 0)
		return 0;
	memcpy(&st, priv, sizeof(st));
	if (!ftp_pend_sane(&st)) {
		/* private data we did not write (other version, corruption) */
		ftp_pend_clear(&st);
		res->lost++;
	}
	st.state |= FTP_ST_TRACKED;

	if (st.state & FTP_ST_SEEN(dir)) {
		int32_t delta = (int32_t)(pkt->tcp_seq - st.next_seq[dir]);

		if (delta < 0) {
			/*
			 * A retransmission: parse it again so that it is
			 * rewritten as the first copy was, but leave the state
			 * alone unless it carries new bytes.
			 */
			seg.update_state = (int32_t)(pkt->tcp_seq + len - st.next_seq[dir]) > 0;
		} else if (delta > 0) {
			/*
			 * Bytes we never saw (the queue was bypassed while no
			 * daemon ran): FTP peers write a line per segment, so
			 * resynchronise at this segment's start.
			 */
			if (ftp_pend_is_for(&st, dir))
				ftp_pend_clear(&st);
			st.state &= ~FTP_ST_MIDLINE(dir);
			res->lost++;
		} else if (ftp_pend_is_for(&st, dir)) {
			prefix_len = ftp_pend_rebuild(&st, line);
			deleted = st.state & FTP_ST_PEND_DELETED;
			deleted_len = deleted ? st.pend_len : 0;
		} else if (st.state & FTP_ST_MIDLINE(dir)) {
			const char *nl = memchr(data, '\n', len);

			pos = nl ? (size_t)(nl - data) + 1 : len;
			if (nl)
				st.state &= ~FTP_ST_MIDLINE(dir);
		}
	}
	if (!seg.update_state)
		prefix_len = 0;

	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - data) : len;
		const char *text = data + pos;
		size_t text_len = end - pos;
		long line_pos = (long)pos;

		if (prefix_len) {
			/* the pending beginning of the line, then this segment's part */
			size_t take = text_len;

			if (prefix_len + take > sizeof(line))
				take = sizeof(line) - prefix_len;
			memcpy(line + prefix_len, text, take);
			text = line;
			text_len = prefix_len + take;
			line_pos = -(long)prefix_len;
		}
		if (nl)
			ftp_handle_line(&seg, text, text_len, line_pos, deleted, deleted_len);
		else
			ftp_handle_tail(&seg, text, text_len, line_pos, deleted, deleted_len);
		if (prefix_len && seg.update_state && nl)
			ftp_pend_clear(&st);
		prefix_len = 0;
		deleted = false;
		deleted_len = 0;
		pos = end + 1;
		if (!nl)
			break;
	}
	if (len && data[len - 1] == '\n' && seg.update_state)
		st.state &= ~FTP_ST_MIDLINE(dir);

	/*
	 * The position matters only while a line is open. At a line boundary
	 * the next segment starts a line: forgetting the position keeps the
	 * private data unchanged from line to line, so most verdicts need not
	 * carry it back to the kernel.
	 */
	if (seg.update_state) {
		bool line_open = (st.state & FTP_ST_MIDLINE(dir)) || ftp_pend_is_for(&st, dir);

		st.next_seq[dir] = line_open ? pkt->tcp_seq + (uint32_t)len : 0;
		if (line_open)
			st.state |= FTP_ST_SEEN(dir);
		else
			st.state &= ~FTP_ST_SEEN(dir);
	}
	if (memcmp(&st, priv, sizeof(st))) {
		memcpy(priv, &st, sizeof(st));
		res->priv_changed = true;
	}
	return 0;
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
