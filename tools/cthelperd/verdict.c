// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Verdict builder: one NFQNL_MSG_VERDICT carrying the new payload, the
 * private data and the expectations, so the kernel applies them together
 * with the verdict (no separate ctnetlink round trip).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_queue.h>

#include "expect_nl.h"
#include "verdict.h"

struct nlmsghdr *cthd_verdict_build(void *buf, size_t size, const struct cthd_verdict_msg *v)
{
	struct nlmsghdr *nlh;

	if (size < v->payload_len + CTHD_VERDICT_OVERHEAD || v->payload_len > UINT32_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, v->queue);
	nfq_nlmsg_verdict_put(nlh, (int)v->packet_id, (int)v->verdict);
	if (v->payload)
		nfq_nlmsg_verdict_put_pkt(nlh, v->payload, (uint32_t)v->payload_len);

	/* the kernel removes expectations only with NFQA_CT there, as it adds them */
	if (v->send_ct || v->n_exp || v->exp_flush) {
		struct nlattr *ct = mnl_attr_nest_start_check(nlh, size, NFQA_CT);
		struct nlattr *help = ct ? mnl_attr_nest_start_check(nlh, size, CTA_HELP) : NULL;

		if (!help || !mnl_attr_put_strz_check(nlh, size, CTA_HELP_NAME, v->helper_name) ||
		    (v->priv && !mnl_attr_put_check(nlh, size, CTA_HELP_INFO, v->priv_len, v->priv)))
			goto emsgsize;
		mnl_attr_nest_end(nlh, help);
		mnl_attr_nest_end(nlh, ct);
	}
	/* before the expectations: a re-INVITE's new media replace the old */
	if (v->exp_flush && !mnl_attr_put_u32_check(nlh, size, CTHD_NFQA_EXP_FLUSH,
						    htonl(v->exp_flush)))
		goto emsgsize;
	for (unsigned int i = 0; i < v->n_exp; i++) {
		struct nlattr *exp = mnl_attr_nest_start_check(nlh, size, NFQA_EXP);

		if (!exp || cthd_expect_put(nlh, size, v->family, &v->exp[i], NULL) < 0)
			goto emsgsize;
		mnl_attr_nest_end(nlh, exp);
	}
	return nlh;
emsgsize:
	errno = EMSGSIZE;
	return NULL;
}
