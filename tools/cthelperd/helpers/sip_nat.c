// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where NAT rewrites SIP: the host[:port] of a URI or of a Via's sent-by,
 * when it is an address literal (a host name is left as it is, as
 * nf_nat_sip does), and the parameters (received=, rport=) after it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "sip.h"

/* Where a host[:port] ends: a parameter, a header, the URI's end, a blank. */
static bool sip_host_delim(char c)
{
	return c == ';' || c == '>' || c == ',' || c == '?' || c == ' ' || c == '\t' ||
	       c == '\r' || c == '\n';
}

/* host[:port] at s[pos..end): a literal, then the end or a delimiter. */
static int sip_hostport_at(const char *s, size_t pos, size_t end, struct sip_hostport *hp)
{
	size_t host = pos, stop;
	int64_t port;

	memset(hp, 0, sizeof(*hp));
	if (pos < end && s[pos] == '[') {
		const char *close = memchr(s + pos, ']', end - pos);

		if (!close)
			return 0;
		stop = (size_t)(close - s);
		if (cthd_parse_addr(AF_INET6, s + pos + 1, stop - pos - 1, &hp->addr) < 0)
			return 0;
		hp->family = AF_INET6;
		pos = stop + 1;
	} else {
		while (pos < end && ((s[pos] >= '0' && s[pos] <= '9') || s[pos] == '.'))
			pos++;
		/* "10.0.0.1.example.com" or "1host" are names */
		if (pos < end && s[pos] != ':' && !sip_host_delim(s[pos]))
			return 0;
		if (cthd_parse_addr(AF_INET, s + host, pos - host, &hp->addr) < 0)
			return 0;
		hp->family = AF_INET;
	}
	if (pos < end && s[pos] == ':') {
		pos++;
		port = cthd_parse_decimal(s, end, &pos, 5, 65535);
		if (port <= 0)
			return 0;
		hp->has_port = true;
		hp->port = (uint16_t)port;
	}
	if (pos < end && !sip_host_delim(s[pos]))
		return 0;
	hp->text.off = host;
	hp->text.len = pos - host;
	return 1;
}

int sip_uri_hostport(const char *s, struct sip_span in, struct sip_hostport *hp)
{
	size_t end = in.off + in.len, pos;
	bool found = false;

	memset(hp, 0, sizeof(*hp));
	for (pos = in.off; pos < end && !found; pos++) {
		if (end - pos >= 4 && !strncasecmp(s + pos, "sip:", 4)) {
			pos += 3;
			found = true;
		} else if (end - pos >= 5 && !strncasecmp(s + pos, "sips:", 5)) {
			pos += 4;
			found = true;
		}
	}
	if (!found)
		return 0;
	/* "user@" (the user part may hold ';' and ','): the '@' before the URI's end */
	for (size_t i = pos; i < end && s[i] != '>' && s[i] != ' ' && s[i] != '\r'; i++)
		if (s[i] == '@') {
			pos = i + 1;
			break;
		}
	return sip_hostport_at(s, pos, end, hp);
}

int sip_via_hostport(const char *s, struct sip_span in, struct sip_hostport *hp)
{
	size_t end = in.off + in.len, pos = in.off;

	memset(hp, 0, sizeof(*hp));
	while (pos < end && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	/* "SIP/2.0/UDP" (any transport), then white space */
	if (end - pos < 8 || strncasecmp(s + pos, "SIP/2.0/", 8))
		return 0;
	pos += 8;
	while (pos < end && s[pos] != ' ' && s[pos] != '\t' && s[pos] != '\r')
		pos++;
	while (pos < end && (s[pos] == ' ' || s[pos] == '\t'))
		pos++;
	return sip_hostport_at(s, pos, end, hp);
}

int sip_param(const char *s, struct sip_span in, size_t from, const char *name,
	      struct sip_span *val)
{
	size_t end = in.off + in.len, n = strlen(name);

	for (size_t pos = from; pos < end; pos++) {
		if (s[pos] == ',')		/* the next value of the header */
			return 0;
		if (s[pos] != ';' || end - pos - 1 < n || strncasecmp(s + pos + 1, name, n))
			continue;
		val->off = pos + 1 + n;
		val->len = 0;
		while (val->off + val->len < end && !sip_host_delim(s[val->off + val->len]))
			val->len++;
		return 1;
	}
	return 0;
}

int sip_format_hostport(int family, const union cthd_addr *addr, bool with_port, uint16_t port,
			char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(family, addr, text, sizeof(text)))
		return -EINVAL;
	if (family == AF_INET6)
		n = with_port ? snprintf(buf, size, "[%s]:%u", text, port) :
				snprintf(buf, size, "[%s]", text);
	else
		n = with_port ? snprintf(buf, size, "%s:%u", text, port) :
				snprintf(buf, size, "%s", text);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}
