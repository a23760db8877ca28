// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIP message parser (RFC 3261 7): the start line, the few headers the
 * helper acts on, and where the body is. Strict where a lenient reading
 * could be steered: a header the helper relies on may appear once, numbers
 * never wrap, and a Content-Length that claims more than the datagram holds
 * makes the message malformed (the kernel's CVE-2026-23457 read past it).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip.h"

struct sip_method_name {
	const char *name;
	enum sip_method method;
};

static const struct sip_method_name sip_methods[] = {
	{ "INVITE", SIP_METHOD_INVITE },
	{ "ACK", SIP_METHOD_ACK },
	{ "BYE", SIP_METHOD_BYE },
	{ "CANCEL", SIP_METHOD_CANCEL },
	{ "REGISTER", SIP_METHOD_REGISTER },
	{ "UPDATE", SIP_METHOD_UPDATE },
	{ "PRACK", SIP_METHOD_PRACK },
	{ "OPTIONS", SIP_METHOD_OPTIONS },
};

/* Methods are case-sensitive (RFC 3261 7.1). */
static enum sip_method sip_method_of(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(sip_methods) / sizeof(sip_methods[0]); i++)
		if (len == strlen(sip_methods[i].name) && !memcmp(s, sip_methods[i].name, len))
			return sip_methods[i].method;
	return SIP_METHOD_OTHER;
}

/* RFC 3261 25.1 token characters */
static bool sip_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-.!%*_+`'~", c));
}

/* Linear white space, folding included: the value of a folded header spans lines. */
static bool sip_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_lws(const char *s, size_t pos, size_t end)
{
	while (pos < end && sip_lws(s[pos]))
		pos++;
	return pos;
}

/* A decimal number and nothing else but white space in s[pos..end). */
static int sip_number_value(const char *s, size_t pos, size_t end, uint32_t *out)
{
	int64_t v;

	pos = skip_lws(s, pos, end);
	v = cthd_parse_decimal(s, end, &pos, 10, UINT32_MAX);
	if (v < 0 || skip_lws(s, pos, end) != end)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* "CSeq: 4711 INVITE" */
static int sip_cseq_value(const char *s, size_t pos, size_t end, struct sip_msg *m)
{
	size_t method;
	int64_t v;

	pos = skip_lws(s, pos, end);
	v = cthd_parse_decimal(s, end, &pos, 10, 0x7fffffff);	/* < 2^31 */
	if (v < 0 || pos == end || !sip_lws(s[pos]))
		return -EINVAL;
	pos = skip_lws(s, pos, end);
	method = pos;
	while (pos < end && sip_token_char(s[pos]))
		pos++;
	if (pos == method || skip_lws(s, pos, end) != end)
		return -EINVAL;
	m->cseq = (uint32_t)v;
	m->cseq_method = sip_method_of(s + method, pos - method);
	return 0;
}

/* "application/sdp", optionally with parameters */
static bool sip_type_is_sdp(const char *s, size_t pos, size_t end)
{
	static const char app[] = "application", sdp[] = "sdp";

	pos = skip_lws(s, pos, end);
	if (end - pos < sizeof(app) - 1 || strncasecmp(s + pos, app, sizeof(app) - 1))
		return false;
	pos = skip_lws(s, pos + sizeof(app) - 1, end);
	if (pos == end || s[pos] != '/')
		return false;
	pos = skip_lws(s, pos + 1, end);
	if (end - pos < sizeof(sdp) - 1 || strncasecmp(s + pos, sdp, sizeof(sdp) - 1))
		return false;
	pos = skip_lws(s, pos + sizeof(sdp) - 1, end);
	return pos == end || s[pos] == ';';
}

enum sip_header {
	SIP_HDR_OTHER = 0,
	SIP_HDR_CSEQ,
	SIP_HDR_CONTENT_LENGTH,
	SIP_HDR_CONTENT_TYPE,
	SIP_HDR_EXPIRES,
	SIP_HDR_VIA,
	SIP_HDR_FROM,
	SIP_HDR_TO,
	SIP_HDR_CONTACT,
};

struct sip_header_name {
	const char *name;
	char compact;			/* RFC 3261 20: its one-letter form, or 0 */
	enum sip_header hdr;
};

static const struct sip_header_name sip_headers[] = {
	{ "CSeq", 0, SIP_HDR_CSEQ },
	{ "Content-Length", 'l', SIP_HDR_CONTENT_LENGTH },
	{ "Content-Type", 'c', SIP_HDR_CONTENT_TYPE },
	{ "Expires", 0, SIP_HDR_EXPIRES },
	{ "Via", 'v', SIP_HDR_VIA },
	{ "From", 'f', SIP_HDR_FROM },
	{ "To", 't', SIP_HDR_TO },
	{ "Contact", 'm', SIP_HDR_CONTACT },
};

static enum sip_header sip_header_of(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(sip_headers) / sizeof(sip_headers[0]); i++) {
		const struct sip_header_name *h = &sip_headers[i];

		if ((len == strlen(h->name) && !strncasecmp(s, h->name, len)) ||
		    (len == 1 && h->compact && (s[0] | 0x20) == h->compact))
			return h->hdr;
	}
	return SIP_HDR_OTHER;
}

/*
 * A Contact value is a list (RFC 3261 20.10): its entries split at the
 * commas outside a quoted display name and outside <...>, each one
 * contact for NAT to rewrite; those beyond SIP_CONTACT_MAX are counted.
 */
static void sip_contact_entries(const char *s, size_t vstart, size_t vend, struct sip_msg *m)
{
	bool quoted = false, angle = false;
	size_t start = vstart;

	for (size_t pos = vstart; pos <= vend; pos++) {
		if (pos < vend) {
			char c = s[pos];

			if (quoted) {
				if (c == '\\' && pos + 1 < vend)
					pos++;
				else if (c == '"')
					quoted = false;
				continue;
			}
			if (c == '"' && !angle)
				quoted = true;
			else if (c == '<')
				angle = true;
			else if (c == '>')
				angle = false;
			if (c != ',' || angle)
				continue;
		}
		start = skip_lws(s, start, pos);
		if (start < pos) {
			if (m->n_contact < SIP_CONTACT_MAX)
				m->contact[m->n_contact++] = (struct sip_span){ start, pos - start };
			else
				m->contact_truncated = true;
		}
		start = pos + 1;
	}
}

/* One header, its value in s[vstart..vend) (folding included). */
static int sip_header(const char *s, size_t nstart, size_t nlen, size_t vstart, size_t vend,
		      struct sip_msg *m, unsigned int *seen)
{
	enum sip_header h = sip_header_of(s + nstart, nlen);

	struct sip_span value = { vstart, vend - vstart };

	switch (h) {
	case SIP_HDR_OTHER:
		return 0;
	case SIP_HDR_VIA:		/* the topmost is the sender's */
		if (!(*seen & (1u << h)))
			m->via = value;
		*seen |= 1u << h;
		return 0;
	case SIP_HDR_CONTACT:		/* more than one is usual (REGISTER) */
		sip_contact_entries(s, vstart, vend, m);
		return 0;
	default:
		break;
	}
	/* one of each: two Content-Lengths is how a body gets smuggled */
	if (*seen & (1u << h))
		return -EINVAL;
	*seen |= 1u << h;
	switch (h) {
	case SIP_HDR_FROM:
		m->from = value;
		return 0;
	case SIP_HDR_TO:
		m->to = value;
		return 0;
	case SIP_HDR_CSEQ:
		return sip_cseq_value(s, vstart, vend, m);
	case SIP_HDR_CONTENT_LENGTH:
		m->has_content_length = true;
		m->content_length.off = skip_lws(s, vstart, vend);
		m->content_length.len = 0;
		while (m->content_length.off + m->content_length.len < vend &&
		       s[m->content_length.off + m->content_length.len] >= '0' &&
		       s[m->content_length.off + m->content_length.len] <= '9')
			m->content_length.len++;
		return sip_number_value(s, vstart, vend, &m->content_length_value);
	case SIP_HDR_CONTENT_TYPE:
		m->sdp = sip_type_is_sdp(s, vstart, vend);
		return 0;
	case SIP_HDR_EXPIRES:
		m->has_expires = true;
		return sip_number_value(s, vstart, vend, &m->expires);
	default:
		return 0;
	}
}

/* The end of the line at pos (its '\n'), or end when there is none. */
static size_t line_end(const char *s, size_t pos, size_t end)
{
	const char *nl = memchr(s + pos, '\n', end - pos);

	return nl ? (size_t)(nl - s) : end;
}

/* Without its '\r' */
static size_t trim_cr(const char *s, size_t start, size_t eol)
{
	return eol > start && s[eol - 1] == '\r' ? eol - 1 : eol;
}

static int sip_start_line(const char *s, size_t end, struct sip_msg *m)
{
	static const char version[] = "SIP/2.0";
	const size_t vlen = sizeof(version) - 1;
	size_t pos = 0, tok;
	int64_t code;

	if (end > vlen && !memcmp(s, version, vlen) && s[vlen] == ' ') {
		pos = vlen + 1;
		code = cthd_parse_decimal(s, end, &pos, 3, 699);
		if (code < 100 || pos != vlen + 4 || (pos < end && s[pos] != ' '))
			return -EINVAL;
		m->request = false;
		m->code = (unsigned int)code;
		return 0;
	}
	while (pos < end && sip_token_char(s[pos]))
		pos++;
	if (pos == 0 || pos == end || s[pos] != ' ')
		return -EINVAL;
	m->request = true;
	m->method = sip_method_of(s, pos);
	tok = ++pos;				/* the Request-URI */
	while (pos < end && s[pos] != ' ')
		pos++;
	if (pos == tok || pos == end)
		return -EINVAL;
	m->uri.off = tok;
	m->uri.len = pos - tok;
	pos++;
	if (end - pos != vlen || memcmp(s + pos, version, vlen))
		return -EINVAL;
	return 0;
}

int sip_parse_msg(const char *s, size_t len, bool datagram, struct sip_msg *m)
{
	size_t pos, eol, text_end, name = 0, name_len = 0, value = 0, value_end = 0;
	unsigned int seen = 0;
	bool in_header = false;
	int rc;

	memset(m, 0, sizeof(*m));
	/* keep-alives: CRLFs and nothing else */
	for (pos = 0; pos < len && (s[pos] == '\r' || s[pos] == '\n'); pos++)
		;
	if (pos == len)
		return 0;
	if (pos)
		return -EINVAL;

	eol = line_end(s, 0, len);
	if (eol == len)
		return datagram ? -EINVAL : -EAGAIN;
	rc = sip_start_line(s, trim_cr(s, 0, eol), m);
	if (rc < 0)
		return rc;

	for (pos = eol + 1;; pos = eol + 1) {
		if (pos >= len)
			return datagram ? -EINVAL : -EAGAIN;	/* no empty line */
		eol = line_end(s, pos, len);
		if (eol == len)
			return datagram ? -EINVAL : -EAGAIN;
		text_end = trim_cr(s, pos, eol);
		if (text_end > pos && (s[pos] == ' ' || s[pos] == '\t')) {
			if (!in_header)
				return -EINVAL;		/* folding without a header */
			value_end = text_end;
			continue;
		}
		if (in_header) {
			rc = sip_header(s, name, name_len, value, value_end, m, &seen);
			if (rc < 0)
				return rc;
			in_header = false;
		}
		if (text_end == pos)
			break;				/* the empty line */
		name = pos;
		while (pos < text_end && sip_token_char(s[pos]))
			pos++;
		name_len = pos - name;
		while (pos < text_end && (s[pos] == ' ' || s[pos] == '\t'))
			pos++;
		if (!name_len || pos == text_end || s[pos] != ':')
			return -EINVAL;
		value = pos + 1;
		value_end = text_end;
		in_header = true;
	}

	if (!(seen & (1u << SIP_HDR_CSEQ)))
		return -EINVAL;
	if (m->request && m->cseq_method != m->method)
		return -EINVAL;
	m->body.off = eol + 1;
	if (m->has_content_length) {
		if (m->content_length_value > len - m->body.off) {
			if (datagram)
				return -EINVAL;
			/* on a stream: where it will end */
			m->length = m->body.off + m->content_length_value;
			return -EAGAIN;
		}
		m->body.len = m->content_length_value;
	} else if (datagram) {
		m->body.len = len - m->body.off;
	} else {
		return -EINVAL;
	}
	m->length = m->body.off + m->body.len;
	return 1;
}
