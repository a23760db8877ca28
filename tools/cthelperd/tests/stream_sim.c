// SPDX-License-Identifier: GPL-2.0-or-later
/* The segment-level stream simulator and its oracles: see stream_sim.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "../helpers/ftp.h"
#include "../mangle.h"
#include "stream_sim.h"

static bool set_addr(union cthd_addr *a, int family, const char *text)
{
	memset(a, 0, sizeof(*a));
	return inet_pton(family, text, a) == 1;
}

/* What the helper must do with one whole line: the truth, from the parser. */
static void sim_truth(const struct sim *sim, enum cthd_dir dir, struct sim_line *l)
{
	const struct sim_stream *s = &sim->stream[dir];
	const struct cthd_conntrack *ct = &sim->ct;
	size_t len = l->end - l->start - 1;	/* without '\n' */
	const char *text = s->data + l->start;
	struct ftp_arg arg;
	int n;

	if (len && text[len - 1] == '\r')
		len--;
	if (ftp_parse_line(text, len, dir, &arg) != 1)
		return;
	if (arg.cmd != FTP_CMD_EPSV &&
	    (arg.family != ct->family ||
	     memcmp(&arg.addr, &ct->tuple[dir].src, ct->family == AF_INET ? 4 : 16)))
		return;		/* not the sender's own address */
	l->wanted = true;
	l->port = arg.port;
	l->arg_off = arg.arg_off;
	l->arg_len = arg.arg_len;
	if (!cthd_conntrack_is_natted(ct))
		return;
	n = ftp_format_arg(arg.cmd, arg.delim, ct->family, &ct->tuple[!dir].dst, arg.port,
			   l->rewrite, sizeof(l->rewrite));
	if (n > 0 && ((size_t)n != arg.arg_len || memcmp(l->rewrite, text + arg.arg_off, arg.arg_len)))
		l->rewrite_len = (size_t)n;
}

bool sim_init(struct sim *sim, const struct sim_conversation *conv)
{
	int family = strchr(conv->client, ':') ? AF_INET6 : AF_INET;
	struct cthd_tuple *o = &sim->ct.tuple[CTHD_DIR_ORIGINAL];
	struct cthd_tuple *r = &sim->ct.tuple[CTHD_DIR_REPLY];

	memset(sim, 0, sizeof(*sim));
	sim->ct.family = family;
	sim->ct.l4proto = IPPROTO_TCP;
	if (!set_addr(&o->src, family, conv->client) || !set_addr(&o->dst, family, conv->server_pub) ||
	    !set_addr(&r->src, family, conv->server) || !set_addr(&r->dst, family, conv->client_nat))
		return false;
	o->sport = r->dport = 40000;
	o->dport = r->sport = 21;
	sim->stream[CTHD_DIR_ORIGINAL].isn = 1000;
	sim->stream[CTHD_DIR_REPLY].isn = 0xfffffe00;	/* wraps */

	for (const char *const *line = conv->lines; *line; line++) {
		enum cthd_dir dir = (*line)[0] == 'S' ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
		struct sim_stream *s = &sim->stream[dir];
		const char *text = *line + 2;
		size_t len = strlen(text);

		if (s->len + len > sizeof(s->data))
			return false;
		memcpy(s->data + s->len, text, len);
		s->len += len;
	}
	for (int dir = 0; dir < 2; dir++) {
		struct sim_stream *s = &sim->stream[dir];
		size_t start = 0;

		for (size_t i = 0; i < s->len; i++) {
			if (s->data[i] != '\n')
				continue;
			if (s->n_lines == SIM_LINES_MAX)
				return false;
			s->line[s->n_lines].start = start;
			s->line[s->n_lines].end = i + 1;
			sim_truth(sim, dir, &s->line[s->n_lines]);
			s->n_lines++;
			start = i + 1;
		}
	}
	return true;
}

/*
 * Whether the segment [off, off+len) holds whole a wanted line announcing
 * this port whose rewrite, if NAT needs one, is among the edits.
 */
static bool wanted_line(const struct sim_stream *s, const struct sim_delivery *d,
			const struct cthd_result *res, uint16_t port)
{
	for (size_t i = 0; i < s->n_lines; i++) {
		const struct sim_line *l = &s->line[i];
		bool rewritten = false;

		if (!l->wanted || l->port != port || l->start < d->off || l->end > d->off + d->len)
			continue;
		for (unsigned int j = 0; j < res->n_mangle; j++)
			rewritten |= res->mangle[j].offset == l->start + l->arg_off - d->off;
		if (!l->rewrite_len || rewritten)
			return true;
	}
	return false;
}

static bool violation(struct sim *sim, const struct sim_delivery *d, const char *what)
{
	const struct sim_stream *s = &sim->stream[d->dir];

	snprintf(sim->why, sizeof(sim->why), "%s: %s segment [%zu, +%zu) '%.*s'", what,
		 d->dir == CTHD_DIR_ORIGINAL ? "client" : "server", d->off, d->len,
		 (int)(d->len < 80 ? d->len : 80), s->data + d->off);
	return false;
}

/* Oracles (a) and (b) on one result; the payload edits first. */
static bool check_result(struct sim *sim, const struct sim_delivery *d,
			 const struct cthd_result *res)
{
	const struct sim_stream *s = &sim->stream[d->dir];

	if (res->verdict == CTHD_DROP && (res->n_expect || res->n_mangle))
		return violation(sim, d, "a dropped segment carries expectations or edits");
	for (unsigned int i = 0; i < res->n_expect; i++) {
		const struct cthd_expect *e = &res->expect[i];

		if (memcmp(&e->tuple.dst, &sim->ct.tuple[!d->dir].dst, sizeof(e->tuple.dst)) ||
		    !wanted_line(s, d, res, e->tuple.dport))
			return violation(sim, d, "(b) an expectation for no whole line at a line "
					 "start (or (a): its line not rewritten)");
	}
	for (unsigned int i = 0; i < res->n_mangle; i++) {
		const struct cthd_mangle *m = &res->mangle[i];
		bool ok = false;

		for (size_t j = 0; j < s->n_lines && !ok; j++) {
			const struct sim_line *l = &s->line[j];

			ok = l->rewrite_len && l->start >= d->off && l->end <= d->off + d->len &&
			     m->offset == l->start + l->arg_off - d->off && m->len == l->arg_len &&
			     m->data_len == l->rewrite_len &&
			     !memcmp(m->data, l->rewrite, l->rewrite_len);
		}
		if (!ok)
			return violation(sim, d, "(a) an edit that is not the rewrite of a whole line");
	}
	return true;
}

static struct sim_record *find_record(struct sim *sim, const struct sim_delivery *d)
{
	for (size_t i = 0; i < sim->n_rec; i++)
		if (sim->rec[i].d.dir == d->dir && sim->rec[i].d.off == d->off &&
		    sim->rec[i].d.len == d->len)
			return &sim->rec[i];
	return NULL;
}

/* (a): a copy is treated as the first was, unless another segment acted since. */
static bool check_copy(struct sim *sim, const struct sim_record *first,
		       const struct sim_record *now)
{
	size_t idx = (size_t)(first - sim->rec);

	for (unsigned int i = first->act_index; i < sim->n_acts[now->d.dir]; i++)
		if (sim->acts[now->d.dir][i] != idx)
			return true;	/* the documented limit: one point per direction */
	if (first->dropped != now->dropped || first->n_expect != now->n_expect ||
	    memcmp(first->ports, now->ports, sizeof(first->ports)) ||
	    first->out_len != now->out_len || first->out_hash != now->out_hash)
		return violation(sim, &now->d, "(a) a copy treated unlike the first copy");
	return true;
}

bool sim_deliver(struct sim *sim, enum cthd_dir dir, size_t off, size_t len)
{
	const struct cthd_helper *ftp = cthd_helper_find("ftp");
	struct sim_stream *s = &sim->stream[dir];
	struct sim_record now = { .d = { dir, off, len } };
	uint8_t before[CTHD_PRIV_MAX];
	struct cthd_result res = { 0 };
	struct cthd_packet pkt = {
		.payload = (const uint8_t *)s->data + off, .payload_len = len,
		.dir = dir, .established = true, .tcp_seq = s->isn + (uint32_t)off,
	};
	struct sim_record *first;
	uint8_t out[SIM_STREAM_MAX + CTHD_MANGLE_MAX * CTHD_MANGLE_DATA_MAX];
	long n;

	if (!ftp || off + len > s->len || len == 0)
		return violation(sim, &now.d, "simulator: bad delivery");
	sim->deliveries++;
	memcpy(before, sim->priv, sizeof(before));
	if (ftp->process(&pkt, &sim->ct, sim->priv, &res) < 0)
		return violation(sim, &now.d, "the helper failed");
	if (res.priv_changed != (memcmp(before, sim->priv, sizeof(before)) != 0))
		return violation(sim, &now.d, "priv_changed does not tell the truth");
	if (!check_result(sim, &now.d, &res))
		return false;
	now.dropped = res.verdict == CTHD_DROP;
	now.n_expect = res.n_expect;
	for (unsigned int i = 0; i < res.n_expect; i++)
		now.ports[i] = res.expect[i].tuple.dport;
	if (!now.dropped) {
		n = cthd_mangle_payload(pkt.payload, len, res.mangle, res.n_mangle,
				       out, sizeof(out));
		if (n < 0)
			return violation(sim, &now.d, "edits do not apply");
		now.out_len = (size_t)n;
		now.out_hash = 0xcbf29ce484222325ull;
		for (long i = 0; i < n; i++)
			now.out_hash = (now.out_hash ^ out[i]) * 0x100000001b3ull;
	}
	sim->expectations += res.n_expect;
	sim->rewrites += res.n_mangle;
	sim->drops += now.dropped;

	first = find_record(sim, &now.d);
	if (first && !check_copy(sim, first, &now))
		return false;
	if (!first) {
		if (sim->n_rec == SIM_DELIVERIES_MAX)
			return violation(sim, &now.d, "simulator: too many segments");
		now.act_index = sim->n_acts[dir];
		first = &sim->rec[sim->n_rec++];
		*first = now;
	}
	if ((now.dropped || res.n_expect || res.n_mangle) && sim->n_acts[dir] < SIM_DELIVERIES_MAX)
		sim->acts[dir][sim->n_acts[dir]++] = (size_t)(first - sim->rec);
	return true;
}

bool sim_run(struct sim *sim, enum cthd_dir dir, const size_t *cuts, size_t n,
	     enum sim_mode mode)
{
	size_t b[SIM_DELIVERIES_MAX + 2], nseg;
	size_t len = sim->stream[dir].len;

	if (len == 0)
		return true;
	if (n > SIM_DELIVERIES_MAX)
		n = SIM_DELIVERIES_MAX;
	b[0] = 0;
	nseg = 0;
	for (size_t i = 0; i < n; i++)
		if (cuts[i] > b[nseg] && cuts[i] < len)
			b[++nseg] = cuts[i];
	b[++nseg] = len;
	/* segment i is [b[i], b[i+1]) */
#define SEG(i) sim_deliver(sim, dir, b[i], b[(i) + 1] - b[i])
	for (size_t i = 0; i < nseg; i++) {
		switch (mode) {
		case SIM_IN_ORDER:
			if (!SEG(i))
				return false;
			break;
		case SIM_EACH_TWICE:
			if (!SEG(i) || !SEG(i))
				return false;
			break;
		case SIM_LATE_RETRANSMIT:
			if (!SEG(i) || (i && !SEG(i - 1)))
				return false;
			break;
		case SIM_COALESCED:
			if (!SEG(i) || (i && !sim_deliver(sim, dir, b[i - 1], b[i + 1] - b[i - 1])))
				return false;
			break;
		case SIM_OVERLAP: {
			size_t from = i ? (b[i - 1] + b[i]) / 2 : 0;
			size_t to = (b[i] + b[i + 1] + 1) / 2;

			if (!SEG(i) || (i && to > from && !sim_deliver(sim, dir, from, to - from)))
				return false;
			break;
		}
		case SIM_REORDER:
			if (i + 1 < nseg) {
				if (!SEG(i + 1) || !SEG(i))
					return false;
				i++;
			} else if (!SEG(i)) {
				return false;
			}
			break;
		default:
			return false;
		}
	}
#undef SEG
	return true;
}

size_t sim_line_cuts(const struct sim *sim, enum cthd_dir dir, size_t *cuts, size_t max)
{
	const struct sim_stream *s = &sim->stream[dir];
	size_t n = 0;

	for (size_t i = 0; i < s->n_lines && n < max; i++)
		if (s->line[i].end < s->len)
			cuts[n++] = s->line[i].end;
	return n;
}
