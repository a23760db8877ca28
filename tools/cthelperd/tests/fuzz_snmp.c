// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: snmp_parse() and the snmp_trap helper on one message,
 * both directions, with and without NAT, IPv4 and IPv6 (first input byte).
 * The parser reports IpAddress values only inside the message, in order,
 * each after its 0x40 tag; a parsed message is malformed one byte shorter
 * or longer. The helper drops exactly the malformed community messages
 * under IPv4 NAT; otherwise its edits keep the length, change only the
 * sender's address where the parser reported one, and leave a message that
 * parses the same, with no sender's address left in an IpAddress.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../helpers/snmp.h"
#include "../mangle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ADDRS_MAX 4096

struct seen {
	unsigned int n;
	size_t offset[ADDRS_MAX];
};

static void note(void *ctx, size_t offset)
{
	struct seen *s = ctx;

	if (s->n < ADDRS_MAX)
		s->offset[s->n] = offset;
	s->n++;
}

static struct seen seen, seen_out;
static uint8_t out[70000], longer[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *h = cthd_helper_find("snmp_trap");
	static const uint8_t from[4] = { 10, 0, 0, 1 }, to[4] = { 203, 0, 113, 1 };
	struct cthd_conntrack ct = { 0 };
	struct cthd_packet pkt = { 0 };
	struct cthd_result res = { 0 };
	bool nat, v6, malformed;
	long n;
	int fam, rc;

	if (!h || size < 1 || size > 65000)
		return 0;
	nat = data[0] & 1;
	v6 = data[0] & 2;
	pkt.dir = data[0] & 4 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	data++;
	size--;

	memset(&seen, 0, sizeof(seen));
	rc = snmp_parse(data, size, note, &seen);
	malformed = rc < 0;
	for (unsigned int i = 0; i < seen.n && i < ADDRS_MAX; i++) {
		size_t off = seen.offset[i];

		if (off + 4 > size || off < 2 || data[off - 1] != 4 ||
		    (i && off < seen.offset[i - 1] + 4 + 7))
			abort();
		if (data[off - 2] != 0x40 && !(off >= 3 && data[off - 3] == 0x40))
			abort();
	}
	if (rc == SNMP_V1 || rc == SNMP_V2C) {
		memcpy(longer, data, size);
		longer[size] = 0;
		if (snmp_parse(data, size - 1, note, &seen_out) >= 0 ||
		    snmp_parse(longer, size + 1, note, &seen_out) >= 0)
			abort();
	}

	/* the sender 10.0.0.1 in the packet's direction, NATed to 203.0.113.1 */
	fam = v6 ? AF_INET6 : AF_INET;
	ct.family = fam;
	ct.l4proto = IPPROTO_UDP;
	{
		struct cthd_tuple *snd = &ct.tuple[pkt.dir], *rcv = &ct.tuple[!pkt.dir];

		inet_pton(fam, v6 ? "fd00::1" : "10.0.0.1", &snd->src);
		inet_pton(fam, v6 ? "fd00::2" : "192.0.2.2", &snd->dst);
		inet_pton(fam, v6 ? "fd00::2" : "192.0.2.2", &rcv->src);
		inet_pton(fam, nat ? (v6 ? "2001:db8::1" : "203.0.113.1") :
				     (v6 ? "fd00::1" : "10.0.0.1"), &rcv->dst);
		snd->sport = rcv->dport = 40000;
		snd->dport = rcv->sport = 162;
	}
	pkt.family = fam;
	pkt.l4proto = IPPROTO_UDP;
	pkt.payload = data;
	pkt.payload_len = size;
	if (h->process(&pkt, &ct, NULL, &res) < 0 || res.n_expect || res.priv_changed)
		abort();
	if (!nat || v6) {
		if (res.verdict != CTHD_ACCEPT || res.n_mangle)
			abort();
		return 0;
	}
	if (res.verdict == CTHD_DROP) {
		/* malformed, or (lost) more far-apart addresses than edits */
		if (res.n_mangle || (!malformed && !res.lost) || (malformed && !res.parse_errors))
			abort();
		return 0;
	}
	if (malformed)
		abort();
	n = cthd_mangle_payload(data, size, res.mangle, res.n_mangle, out, sizeof(out));
	if (n != (long)size)
		abort();
	/* bytes change only at reported addresses that were the sender's */
	for (size_t i = 0, a = 0; i < size; i++) {
		while (a < seen.n && a < ADDRS_MAX && seen.offset[a] + 4 <= i)
			a++;
		if (out[i] == data[i])
			continue;
		if (a >= seen.n || a >= ADDRS_MAX || i < seen.offset[a] ||
		    memcmp(data + seen.offset[a], from, 4) || memcmp(out + seen.offset[a], to, 4))
			abort();
	}
	memset(&seen_out, 0, sizeof(seen_out));
	if (snmp_parse(out, size, note, &seen_out) != rc || seen_out.n != seen.n)
		abort();
	for (unsigned int i = 0; i < seen_out.n && i < ADDRS_MAX; i++)
		if (rc >= 0 && rc != 2 && rc != SNMP_V3 &&
		    !memcmp(out + seen_out.offset[i], from, 4))
			abort();
	return 0;
}
