// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SDP body parser (RFC 4566, RFC 3605's a=rtcp): the session and media
 * connection addresses, the media ports, the origin's address (for NAT).
 * Addresses must be literals of the family their line names: a host name,
 * a "/ttl" on IPv6 or a mismatched family marks the line invalid, and its
 * media are then not expected rather than guessed at.
 */
#include <errno.h>
#include <sys/socket.h>
#include <string.h>

#include "sip.h"

/* s[pos..end) starts with word; pos moves past it. */
static bool eat(const char *s, size_t *pos, size_t end, const char *word)
{
	size_t n = strlen(word);

	if (end - *pos < n || memcmp(s + *pos, word, n))
		return false;
	*pos += n;
	return true;
}

static size_t word_end(const char *s, size_t pos, size_t end)
{
	while (pos < end && s[pos] != ' ')
		pos++;
	return pos;
}

/* "IN IP4 <addr>" or "IN IP6 <addr>" at s[pos..end), the address a whole word. */
static void sdp_parse_addr(const char *s, size_t pos, size_t end, struct sdp_addr *a)
{
	size_t stop, alen;
	int family;

	memset(a, 0, sizeof(*a));
	a->present = true;
	if (eat(s, &pos, end, "IN IP4 "))
		family = AF_INET;
	else if (eat(s, &pos, end, "IN IP6 "))
		family = AF_INET6;
	else
		return;
	stop = word_end(s, pos, end);
	alen = stop - pos;
	/* c= may carry "/ttl" for IPv4 multicast: the address is before it */
	if (family == AF_INET) {
		const char *slash = memchr(s + pos, '/', alen);

		if (slash)
			alen = (size_t)(slash - (s + pos));
	}
	if (cthd_parse_addr(family, s + pos, alen, &a->addr) < 0)
		return;
	a->valid = true;
	a->family = family;
	a->text.off = pos;
	a->text.len = alen;
}

/* "m=<media> <port>[/<count>] <proto> <fmt> ..." after "m=" */
static void sdp_parse_media(const char *s, size_t pos, size_t end, struct sdp_media *m)
{
	static const struct {
		const char *word;
		enum sdp_media_type type;
	} types[] = {
		{ "audio ", SDP_MEDIA_AUDIO },
		{ "video ", SDP_MEDIA_VIDEO },
		{ "image ", SDP_MEDIA_IMAGE },
	};
	size_t start;
	int64_t port;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (eat(s, &pos, end, types[i].word)) {
			m->type = types[i].type;
			break;
		}
	if (m->type == SDP_MEDIA_OTHER)
		return;
	start = pos;
	port = cthd_parse_decimal(s, end, &pos, 5, 65535);
	if (port < 0 || pos == end || (s[pos] != ' ' && s[pos] != '/'))
		return;
	m->port_valid = true;
	m->port = (uint16_t)port;
	m->port_text.off = start;
	m->port_text.len = pos - start;
}

/* "a=rtcp:<port> [IN IP4|IP6 <addr>]" after "a=rtcp:" */
static void sdp_parse_rtcp(const char *s, size_t pos, size_t end, struct sdp_media *m)
{
	size_t start = pos;
	int64_t port;

	m->has_rtcp = true;
	port = cthd_parse_decimal(s, end, &pos, 5, 65535);
	if (port <= 0 || (pos < end && s[pos] != ' '))
		return;
	m->rtcp_port = (uint16_t)port;
	m->rtcp_port_text.off = start;
	m->rtcp_port_text.len = pos - start;
	if (pos < end) {
		sdp_parse_addr(s, pos + 1, end, &m->rtcp_addr);
		if (!m->rtcp_addr.valid)
			return;
	}
	m->rtcp_valid = true;
}

/* "o=<user> <sess-id> <version> IN IP4|IP6 <addr>": the address */
static void sdp_parse_origin(const char *s, size_t pos, size_t end, struct sdp_addr *a)
{
	for (int words = 0; words < 3; words++) {
		pos = word_end(s, pos, end);
		if (pos == end)
			return;
		pos++;
	}
	sdp_parse_addr(s, pos, end, a);
}

int sdp_parse(const char *s, size_t len, struct sdp *sdp)
{
	struct sdp_media *media = NULL;
	size_t pos = 0;

	memset(sdp, 0, sizeof(*sdp));
	if (len < 3 || memcmp(s, "v=0", 3))
		return -EINVAL;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t eol = nl ? (size_t)(nl - s) : len, end = eol;

		if (end > pos && s[end - 1] == '\r')
			end--;
		if (end == pos) {		/* an empty line: tolerated at the end */
			pos = eol + 1;
			continue;
		}
		if (end - pos < 2 || s[pos] < 'a' || s[pos] > 'z' || s[pos + 1] != '=')
			return -EINVAL;
		switch (s[pos]) {
		case 'o':
			if (!media)
				sdp_parse_origin(s, pos + 2, end, &sdp->origin);
			break;
		case 'c':
			sdp_parse_addr(s, pos + 2, end, media ? &media->conn : &sdp->conn);
			break;
		case 'm':
			if (sdp->n_media == SDP_MEDIA_MAX) {
				/* what follows belongs to media not kept */
				sdp->truncated = true;
				return 0;
			}
			media = &sdp->media[sdp->n_media++];
			sdp_parse_media(s, pos + 2, end, media);
			break;
		case 'a':
			if (media && end - pos > 7 && !memcmp(s + pos, "a=rtcp:", 7))
				sdp_parse_rtcp(s, pos + 7, end, media);
			break;
		default:
			break;
		}
		pos = eol + 1;
	}
	return 0;
}

const struct sdp_addr *sdp_media_addr(const struct sdp *s, const struct sdp_media *m)
{
	return m->conn.present ? &m->conn : &s->conn;
}
