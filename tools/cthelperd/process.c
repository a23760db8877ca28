// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-packet path. Any failure of the daemon's own (a message it cannot
 * parse, a buffer too small) ends in an accept verdict with the packet
 * unchanged: a helper bug must not cut connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <string.h>
#include <time.h>

#include "ct_parse.h"
#include "mangle.h"
#include "packet.h"
#include "process.h"
#include "verdict.h"

static struct cthd_priv_entry *priv_cache_slot(struct cthd_scratch *s,
					       const struct cthd_conntrack *ct)
{
	/* conntrack ids are already hashed pointers; mix in a port anyway */
	uint32_t h = ct->id ^ ((uint32_t)ct->tuple[CTHD_DIR_ORIGINAL].sport << 16);

	return &s->priv_cache[h & (CTHD_PRIV_CACHE_SIZE - 1)];
}

static bool priv_cache_matches(const struct cthd_priv_entry *e,
			       const struct cthd_conntrack *ct)
{
	return e->used && e->id == ct->id &&
	       !memcmp(&e->orig, &ct->tuple[CTHD_DIR_ORIGINAL], sizeof(e->orig));
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* What the per-packet path reads of a queued packet; the rest is skipped. */
static const struct cthd_nla_rule queue_msg_rules[NFQA_MAX + 1] = {
	[NFQA_PACKET_HDR] = { CTHD_NLA_BINARY, sizeof(struct nfqnl_msg_packet_hdr) },
	[NFQA_PAYLOAD] = { CTHD_NLA_BINARY, 0 },
	[NFQA_CT] = { CTHD_NLA_NESTED, 0 },
	[NFQA_CT_INFO] = { CTHD_NLA_BINARY, sizeof(uint32_t) },
	[NFQA_CAP_LEN] = { CTHD_NLA_BINARY, sizeof(uint32_t) },
	[NFQA_IFINDEX_OUTDEV] = { CTHD_NLA_BINARY, sizeof(uint32_t) },
};

static void fail(struct cthd_outcome *out, int err, const char *what)
{
	out->error = err;
	out->error_what = what;
}

void cthd_process_packet(const struct nlmsghdr *nlh, const struct cthd_helper *h,
			 const uint32_t *options,
			 unsigned int exp_per_verdict, struct cthd_scratch *s,
			 struct cthd_counters *c, struct cthd_outcome *out)
{
	const struct nlattr *attr[NFQA_MAX + 1];
	const struct nfqnl_msg_packet_hdr *ph;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	struct cthd_result *res = &s->result;
	struct cthd_verdict_msg v = { 0 };
	struct cthd_ct_info info;
	struct cthd_packet pkt = { 0 };
	bool priv_usable = false;
	uint32_t ctinfo;
	int err;

	memset(out, 0, sizeof(*out));
	cthd_result_reset(res);
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)) ||
	    cthd_nla_collect(mnl_nlmsg_get_payload_offset(nlh, sizeof(*nfg)),
			     nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(*nfg)),
			     queue_msg_rules, NFQA_MAX, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		/* without a packet id there is nothing to answer */
		c->accepted_on_error++;
		fail(out, -EINVAL, "unparsable queue message");
		return;
	}
	ph = cthd_nla_data(attr[NFQA_PACKET_HDR]);
	v.queue = ntohs(nfg->res_id);
	v.packet_id = ntohl(ph->packet_id);
	v.verdict = NF_ACCEPT;
	v.helper_name = h->name;
	c->packets++;

	if (!attr[NFQA_PAYLOAD] || !attr[NFQA_CT] || !attr[NFQA_CT_INFO]) {
		fail(out, -ENODATA, "no payload or conntrack (queue not bound with conntrack?)");
		goto accept;
	}
	err = cthd_ct_parse(attr[NFQA_CT], &info);
	if (err) {
		fail(out, err, "malformed NFQA_CT");
		goto accept;
	}
	if (!info.has_help || strcmp(info.help_name, h->name)) {
		fail(out, -ENOENT, "conntrack not helped by this queue's helper");
		goto accept;
	}
	if (attr[NFQA_CAP_LEN] &&
	    ntohl(cthd_nla_u32(attr[NFQA_CAP_LEN])) > cthd_nla_len(attr[NFQA_PAYLOAD])) {
		/*
		 * A copy cut short (a packet beyond the queue's copy range):
		 * its end is not the segment's end, and a verdict carrying a
		 * rewritten copy would cut the packet. Not read.
		 */
		c->lost++;
		goto plain;
	}
	err = cthd_packet_parse(cthd_nla_data(attr[NFQA_PAYLOAD]),
				cthd_nla_len(attr[NFQA_PAYLOAD]), &pkt);
	if (err) {
		fail(out, err, "malformed packet");
		goto accept;
	}
	if (pkt.family != info.ct.family || pkt.l4proto != info.ct.l4proto) {
		fail(out, -EPROTO, "packet and conntrack disagree");
		goto accept;
	}
	ctinfo = ntohl(cthd_nla_u32(attr[NFQA_CT_INFO]));
	pkt.dir = ctinfo >= IP_CT_IS_REPLY ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
	pkt.established = ctinfo == IP_CT_ESTABLISHED || ctinfo == IP_CT_ESTABLISHED_REPLY;
	if (attr[NFQA_IFINDEX_OUTDEV])
		pkt.outdev = ntohl(cthd_nla_u32(attr[NFQA_IFINDEX_OUTDEV]));
	pkt.ifaddrs = s->ifaddrs;

	/*
	 * The kernel hands over exactly the registered length. A helper
	 * registered with less than this helper keeps can still be served,
	 * statelessly: start from zeroes, send nothing back.
	 */
	memset(s->priv, 0, sizeof(s->priv));
	if (info.help_info && info.help_info_len >= h->priv_len) {
		struct cthd_priv_entry *e = priv_cache_slot(s, &info.ct);

		memcpy(s->priv, info.help_info, h->priv_len);
		priv_usable = true;
		/* a stale copy: the packet was queued before our last verdict */
		if (!all_zero(s->priv, h->priv_len) && priv_cache_matches(e, &info.ct))
			memcpy(s->priv, e->priv, h->priv_len);
	}

	if (cthd_conntrack_is_natted(&info.ct)) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		s->natports.helper = h;
		cthd_natports_begin(&s->natports,
				    s->fixed_now ? s->fixed_now : (uint64_t)now.tv_sec);
		res->natports = &s->natports;
	}
	pkt.options = options;
	err = h->process(&pkt, &info.ct, s->priv, res);
	if (err < 0) {
		fail(out, err, "helper failed");
		goto accept;
	}
	c->parse_errors += res->parse_errors;
	c->lost += res->lost;

	if (res->verdict == CTHD_DROP) {
		/*
		 * A dropped packet reaches no one: it opens and removes no
		 * expectation (the kernel would attach them anyway), and
		 * its NAT ports go back. Its private data still goes: a
		 * stream marks where the resent copy starts (the helper put
		 * back the rest, see helper.h).
		 */
		if (res->natports)
			cthd_natports_undo(res->natports);
		res->n_expect = 0;
		res->expect_flush = 0;
		res->n_mangle = 0;
		v.verdict = NF_DROP;
	}
	if (res->n_mangle) {
		long len = cthd_mangle_packet(&pkt, res->mangle, res->n_mangle,
					      s->packet, sizeof(s->packet));

		if (len < 0) {
			fail(out, (int)len, "cannot apply payload edits");
			goto accept;
		}
		v.payload = s->packet;
		v.payload_len = (size_t)len;
	}
	if (res->priv_changed && priv_usable) {
		v.send_ct = true;
		v.priv = s->priv;
		v.priv_len = h->priv_len;
	}
	if (res->expect_flush && s->no_exp_flush) {
		c->flushes_lost++;
	} else if (res->expect_flush) {
		if (priv_usable) {
			v.priv = s->priv;
			v.priv_len = h->priv_len;
		}
		v.exp_flush = res->expect_flush;
	}
	if (res->n_expect) {
		/* CTA_HELP_INFO goes along as it is: NFQA_EXP needs NFQA_CT */
		if (priv_usable) {
			v.priv = s->priv;
			v.priv_len = h->priv_len;
		}
		v.exp = res->expect;
		v.n_exp = res->n_expect < exp_per_verdict ? res->n_expect : exp_per_verdict;
		v.family = info.ct.family;
		out->extra = &res->expect[v.n_exp];
		out->n_extra = res->n_expect - v.n_exp;
		out->master = info.ct;
	}
	out->verdict = cthd_verdict_build(s->verdict, sizeof(s->verdict), &v);
	if (out->verdict) {
		/*
		 * With an ack requested, the kernel reports a refused
		 * expectation (this series) instead of dropping the error:
		 * counted as kernel_errors.
		 */
		if (v.n_exp || v.exp_flush)
			out->verdict->nlmsg_flags |= NLM_F_ACK;
		if (v.send_ct) {
			/*
			 * What the next packet of this conntrack continues
			 * from; forgotten (daemon.c) if the verdict is lost.
			 */
			struct cthd_priv_entry *e = priv_cache_slot(s, &info.ct);

			e->used = true;
			e->id = info.ct.id;
			e->orig = info.ct.tuple[CTHD_DIR_ORIGINAL];
			memcpy(e->priv, s->priv, h->priv_len);
		}
		if (v.priv) {
			out->note.state = true;
			out->note.state_only = !v.payload && !v.n_exp && !v.exp_flush &&
						v.verdict == NF_ACCEPT;
			out->note.ct_id = info.ct.id;
			out->note.orig = info.ct.tuple[CTHD_DIR_ORIGINAL];
		}
		c->state_updates += v.priv ? 1 : 0;
		c->expectations += res->n_expect;
		c->expect_flushes += v.exp_flush ? 1 : 0;
		c->mangled += v.payload ? 1 : 0;
		c->dropped += v.verdict == NF_DROP ? 1 : 0;
		return;
	}
	fail(out, -errno, "verdict does not fit");
	out->n_extra = 0;
accept:
	/* unchanged, without its expectations: its NAT ports go back */
	if (res->natports)
		cthd_natports_undo(res->natports);
	cthd_result_reset(res);
	c->accepted_on_error++;
plain:
	memset(&v, 0, sizeof(v));
	v.queue = ntohs(nfg->res_id);
	v.packet_id = ntohl(ph->packet_id);
	v.verdict = NF_ACCEPT;
	out->verdict = cthd_verdict_build(s->verdict, sizeof(s->verdict), &v);
}
