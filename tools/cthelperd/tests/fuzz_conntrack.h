/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack the one-packet fuzz targets run their helper on: client
 * fd00::1 / 10.0.0.1 to server fd00::2 / 10.0.0.2, the client SNATed to
 * 2001:db8::1 / 203.0.113.1 (port 1025), or the server DNATed from
 * 2001:db8::2 / 198.51.100.2.
 */
#ifndef CTHELPERD_TESTS_FUZZ_CONNTRACK_H
#define CTHELPERD_TESTS_FUZZ_CONNTRACK_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "../helper.h"

static inline void fuzz_conntrack(struct cthd_conntrack *ct, uint8_t l4proto, bool v6,
				  bool snat, bool dnat, uint16_t cport, uint16_t sport)
{
	int fam = v6 ? AF_INET6 : AF_INET;
	const char *client = v6 ? "fd00::1" : "10.0.0.1";
	const char *server = v6 ? "fd00::2" : "10.0.0.2";

	memset(ct, 0, sizeof(*ct));
	ct->family = fam;
	ct->l4proto = l4proto;
	inet_pton(fam, client, &ct->tuple[0].src);
	inet_pton(fam, dnat ? (v6 ? "2001:db8::2" : "198.51.100.2") : server, &ct->tuple[0].dst);
	inet_pton(fam, server, &ct->tuple[1].src);
	inet_pton(fam, snat ? (v6 ? "2001:db8::1" : "203.0.113.1") : client, &ct->tuple[1].dst);
	ct->tuple[0].sport = cport;
	ct->tuple[1].dport = snat ? 1025 : cport;
	ct->tuple[0].dport = ct->tuple[1].sport = sport;
}

#endif
