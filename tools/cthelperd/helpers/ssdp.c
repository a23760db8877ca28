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
 * conntrackd 1.4.7's ssdp helper expects the answer from any address.
 * Not handled: the TCP eventing of UPnP (SUBSCRIBE's CALLBACK URL, which
 * the device connects back to): it needs an expectation that assigns a
 * helper to the connection to the LOCATION port, which the core does not
 * offer yet. NOTIFY announcements are multicast, no answers to anything.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "../helper.h"
#include "ssdp.h"

#define SSDP_PORT	1900

static const char *line_end(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);

	return nl && nl > s && nl[-1] == '\r' ? nl - 1 : NULL;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int ssdp_is_search(const void *data, size_t len)
{
	static const char start[] = "M-SEARCH * HTTP/1.1\r\n";
	const char *s = data, *end = s + len, *eol;
	bool discover = false;

	if (len < sizeof(start) - 1 || memcmp(s, start, sizeof(start) - 1))
		return 0;
	s += sizeof(start) - 1;
	for (;;) {
		const char *colon, *v, *vend;

		eol = line_end(s, (size_t)(end - s));
		if (!eol)
			return -EINVAL;		/* no empty line: cut or not SSDP */
		if (eol == s)
			break;			/* the empty line */
		colon = memchr(s, ':', (size_t)(eol - s));
		if (!colon)
			return -EINVAL;
		v = colon + 1;
		vend = eol;
		while (v < vend && is_blank(*v))
			v++;
		while (vend > v && is_blank(vend[-1]))
			vend--;
		if (colon - s == 3 && !strncasecmp(s, "MAN", 3))
			discover = vend - v == 15 && !memcmp(v, "\"ssdp:discover\"", 15);
		s = eol + 2;
	}
	return discover ? 1 : -EINVAL;
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

static int ssdp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	(void)priv;
	if (pkt->dir != CTHD_DIR_ORIGINAL ||
	    !ssdp_group(ct->family, &ct->tuple[CTHD_DIR_ORIGINAL].dst))
		return 0;
	cthd_query_result(pkt, ct, ssdp_is_search(pkt->payload, pkt->payload_len),
			  CTHD_QUERY_MULTICAST, 0, res);
	return 0;
}

static const struct cthd_helper ssdp_helper = {
	.name = "ssdp",
	.l4proto = IPPROTO_UDP,
	.default_port = SSDP_PORT,
	.n_policies = 1,
	.policies = { { .name = "ssdp", .max_expected = 1, .timeout = 10 } },
	.priv_len = 0,
	.uses_ifaddrs = true,
	.process = ssdp_process,
};

CTHD_HELPER_REGISTER(ssdp_helper);
