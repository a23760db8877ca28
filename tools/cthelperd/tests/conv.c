// SPDX-License-Identifier: GPL-2.0-or-later
/* A conversation through one registered helper: see conv.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "../mangle.h"
#include "../natport.h"
#include "conv.h"

void conv_set_addr(union cthd_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, a);
}

void conv_init(struct conv *k, const char *name, const char *c, const char *c_nat,
	       uint16_t cport, const char *s, const char *s_pub, uint16_t sport)
{
	memset(k, 0, sizeof(*k));
	k->helper = cthd_helper_find(name);
	k->ct.family = strchr(c, ':') ? AF_INET6 : AF_INET;
	k->ct.l4proto = k->helper ? k->helper->l4proto : IPPROTO_TCP;
	conv_set_addr(&k->ct.tuple[CTHD_DIR_ORIGINAL].src, c);
	conv_set_addr(&k->ct.tuple[CTHD_DIR_ORIGINAL].dst, s_pub);
	k->ct.tuple[CTHD_DIR_ORIGINAL].sport = cport;
	k->ct.tuple[CTHD_DIR_ORIGINAL].dport = sport;
	conv_set_addr(&k->ct.tuple[CTHD_DIR_REPLY].src, s);
	conv_set_addr(&k->ct.tuple[CTHD_DIR_REPLY].dst, c_nat);
	k->ct.tuple[CTHD_DIR_REPLY].sport = sport;
	k->ct.tuple[CTHD_DIR_REPLY].dport = cport;
	k->seq[CTHD_DIR_ORIGINAL] = 1000;
	k->seq[CTHD_DIR_REPLY] = 0xffffffe0;	/* wraps during a test */
}

void conv_reset_counts(struct conv *k)
{
	k->out_len[0] = k->out_len[1] = 0;
	k->n_expect = k->n_mangled = k->parse_errors = k->lost = k->dropped = 0;
}

int conv_send_seq_len(struct conv *k, enum cthd_dir dir, uint32_t seq, const void *data,
		      size_t len)
{
	uint8_t out[CONV_OUT_MAX], priv_before[CTHD_PRIV_MAX];
	struct cthd_packet pkt = {
		.payload = data, .payload_len = len, .family = k->ct.family,
		.l4proto = k->ct.l4proto, .dir = dir,
		.tcp_seq = k->ct.l4proto == IPPROTO_TCP ? seq : 0,
		.established = !k->not_established,
		.options = k->options,
	};
	long n;
	int rc;

	if (!k->helper)
		return -ENOENT;
	memset(&k->last, 0, sizeof(k->last));
	k->last.natports = k->natports;
	/* as the core does (process.c): the book's changes go back with a drop */
	if (k->natports)
		cthd_natports_begin(k->natports, k->natports->now);
	memcpy(priv_before, k->priv, sizeof(priv_before));
	rc = k->helper->process(&pkt, &k->ct, k->priv, &k->last);
	if (rc < 0)
		goto undo;
	if (k->last.priv_changed != (memcmp(priv_before, k->priv, sizeof(priv_before)) != 0)) {
		rc = -EBADMSG;
		goto undo;
	}
	n = cthd_mangle_payload(pkt.payload, pkt.payload_len, k->last.mangle,
				k->last.n_mangle, out, sizeof(out));
	if (n < 0 || k->out_len[dir] + (size_t)n > sizeof(k->out[dir])) {
		rc = -ENOSPC;
		goto undo;
	}
	if (k->last.verdict == CTHD_DROP) {
		if (k->last.n_expect || k->last.n_mangle) {
			rc = -EBADMSG;
			goto undo;
		}
		/* nothing of it goes: the core sends no removal either */
		k->last.expect_flush = 0;
		k->dropped++;
		goto undo;
	}
	memcpy(k->out[dir] + k->out_len[dir], out, (size_t)n);
	k->out_len[dir] += (size_t)n;
	k->n_expect += k->last.n_expect;
	k->n_mangled += k->last.n_mangle ? 1 : 0;
	k->parse_errors += k->last.parse_errors;
	k->lost += k->last.lost;
	return rc;
undo:
	if (k->natports)
		cthd_natports_undo(k->natports);
	return rc;
}

int conv_send_seq(struct conv *k, enum cthd_dir dir, uint32_t seq, const char *data)
{
	return conv_send_seq_len(k, dir, seq, data, strlen(data));
}

int conv_send_len(struct conv *k, enum cthd_dir dir, const void *data, size_t len)
{
	int rc = conv_send_seq_len(k, dir, k->seq[dir], data, len);

	k->seq[dir] += (uint32_t)len;
	return rc;
}

int conv_send(struct conv *k, enum cthd_dir dir, const char *data)
{
	return conv_send_len(k, dir, data, strlen(data));
}

bool conv_expect_is(const struct cthd_expect *e, uint8_t l4proto, const char *src,
		    const char *dst, uint16_t dport)
{
	union cthd_addr a = { 0 }, b, any = { 0 };

	if (src)
		conv_set_addr(&a, src);
	conv_set_addr(&b, dst);
	return e->l4proto == l4proto && !memcmp(&e->tuple.src, &a, sizeof(a)) &&
	       !memcmp(&e->tuple.dst, &b, sizeof(b)) && e->tuple.dport == dport &&
	       (src ? memcmp(&e->mask.src, &any, sizeof(any)) != 0 :
		      !memcmp(&e->mask.src, &any, sizeof(any))) &&
	       e->mask.sport == 0 && e->mask.dport == 0xffff && e->class == 0;
}

bool conv_out_is(const struct conv *k, enum cthd_dir dir, const char *want)
{
	return k->out_len[dir] == strlen(want) && !memcmp(k->out[dir], want, k->out_len[dir]);
}

void conv_natports_reset(struct cthd_natports *book, const char *name, uint64_t now)
{
	memset(book, 0, sizeof(*book));
	book->helper = cthd_helper_find(name);
	book->now = now;
}

bool conv_natport_held(const struct cthd_natports *book, uint16_t port)
{
	for (size_t i = 0; i < CTHD_NATPORT_SLOTS; i++)
		if (book->slot[i].expires > book->now && book->slot[i].port == port)
			return true;
	return false;
}
