// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the FTP helper over a sequence of segments, with and
 * without NAT. The input is a list of records: a control byte (bit 0
 * direction, bit 1 NAT, bits 2-3: in order / retransmission / gap / IPv6
 * conntrack), a length byte, then that many payload bytes.
 * Checks the helper's contract: edits apply, results stay within bounds,
 * priv_changed tells the truth, state fits in the private data; under NAT
 * the core's port book as fuzz_natports.h checks it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "../helper.h"
#include "../mangle.h"
#include "fuzz_natports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* another TCP line helper's stream target includes this file after its name */
#ifndef FUZZ_HELPER
#define FUZZ_HELPER "ftp"
#endif
/* ...and FUZZ_UNBOOKED when it never rewrites: it tells no port of its own */
#ifdef FUZZ_UNBOOKED
#define FUZZ_BOOKED false
#else
#define FUZZ_BOOKED true
#endif

static void make_conntrack(struct cthd_conntrack *ct, bool nat, bool v6)
{
	int fam = v6 ? AF_INET6 : AF_INET;

	memset(ct, 0, sizeof(*ct));
	ct->family = fam;
	ct->l4proto = IPPROTO_TCP;
	inet_pton(fam, v6 ? "fd00::1" : "10.0.0.1", &ct->tuple[0].src);
	inet_pton(fam, v6 ? "fd00::2" : "10.0.0.2", &ct->tuple[0].dst);
	inet_pton(fam, v6 ? "fd00::2" : "10.0.0.2", &ct->tuple[1].src);
	inet_pton(fam, nat ? (v6 ? "2001:db8::1" : "203.0.113.1") :
			     (v6 ? "fd00::1" : "10.0.0.1"), &ct->tuple[1].dst);
	ct->tuple[0].sport = ct->tuple[1].dport = 40000;
	ct->tuple[0].dport = ct->tuple[1].sport = 21;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_natports book;
	const struct cthd_helper *ftp = cthd_helper_find(FUZZ_HELPER);
	uint8_t priv[CTHD_PRIV_MAX] = { 0 }, before[CTHD_PRIV_MAX], out[512];
	uint32_t seq[2] = { 1000, 0xffffff00 };
	struct cthd_conntrack ct;
	size_t pos = 0;

	if (!ftp || size < 1)
		return 0;
	make_conntrack(&ct, data[0] & 2, (data[0] & 0xc) == 0xc);
	fuzz_natports_reset(&book, ftp);
	while (pos + 2 <= size) {
		uint8_t ctl = data[pos], len = data[pos + 1];
		enum cthd_dir dir = ctl & 1 ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
		struct cthd_result res = { 0 };
		struct cthd_packet pkt = { 0 };
		long n;

		pos += 2;
		if (len > size - pos)
			len = (uint8_t)(size - pos);
		pkt.payload = data + pos;
		pkt.payload_len = len;
		pkt.dir = dir;
		pkt.tcp_seq = seq[dir];
		pkt.established = true;
		if ((ctl & 0xc) == 0x4)
			pkt.tcp_seq -= len;	/* looks like a retransmission */
		else if ((ctl & 0xc) == 0x8)
			pkt.tcp_seq += 7;	/* bytes never seen */
		memcpy(before, priv, sizeof(priv));
		if (FUZZ_BOOKED && (data[0] & 2))
			fuzz_natports_begin(&book, 1000 + pos, &res);
		if (ftp->process(&pkt, &ct, priv, &res) < 0)
			abort();
		if (FUZZ_BOOKED && (data[0] & 2))
			fuzz_natports_check(&book, &ct, &res);
		if (res.priv_changed != (memcmp(before, priv, sizeof(priv)) != 0))
			abort();
		if (res.n_expect > CTHD_EXPECT_MAX || res.n_mangle > CTHD_MANGLE_MAX)
			abort();
		/* without NAT the payload is never touched */
		if (!(data[0] & 2) && res.n_mangle)
			abort();
		for (unsigned int i = 0; i < res.n_expect; i++)
			if (res.expect[i].nat != !!(data[0] & 2) || res.expect[i].tuple.dport == 0)
				abort();
		n = cthd_mangle_payload(pkt.payload, pkt.payload_len, res.mangle, res.n_mangle,
				       out, sizeof(out));
		if (n < 0)
			abort();
		seq[dir] = pkt.tcp_seq + len;
		pos += len;
	}
	return 0;
}
