// SPDX-License-Identifier: GPL-2.0-or-later
/* CTA_EXPECT_* builders; see expect_nl.h for why not libnetfilter_conntrack. */
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>

#include "expect_nl.h"

bool cthd_tuple_put(struct nlmsghdr *nlh, size_t size, uint16_t type, int family,
		      uint8_t l4proto, const union cthd_addr *src,
		      const union cthd_addr *dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *tuple, *ip, *proto;
	bool v4 = family == AF_INET;

	tuple = mnl_attr_nest_start_check(nlh, size, type);
	if (!tuple)
		return false;
	ip = mnl_attr_nest_start_check(nlh, size, CTA_TUPLE_IP);
	if (!ip ||
	    !mnl_attr_put_check(nlh, size, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, v4 ? 4 : 16, src) ||
	    !mnl_attr_put_check(nlh, size, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, v4 ? 4 : 16, dst))
		return false;
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start_check(nlh, size, CTA_TUPLE_PROTO);
	if (!proto || !mnl_attr_put_u8_check(nlh, size, CTA_PROTO_NUM, l4proto) ||
	    !mnl_attr_put_u16_check(nlh, size, CTA_PROTO_SRC_PORT, htons(sport)) ||
	    !mnl_attr_put_u16_check(nlh, size, CTA_PROTO_DST_PORT, htons(dport)))
		return false;
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, tuple);
	return true;
}

int cthd_expect_put(struct nlmsghdr *nlh, size_t size, int family,
		    const struct cthd_expect *exp, const struct cthd_conntrack *master)
{
	const struct cthd_tuple *t = &exp->tuple, *m = &exp->mask;

	if (master) {
		const struct cthd_tuple *mo = &master->tuple[CTHD_DIR_ORIGINAL];

		if (!cthd_tuple_put(nlh, size, CTA_EXPECT_MASTER, family, master->l4proto,
			       &mo->src, &mo->dst, mo->sport, mo->dport))
			return -EMSGSIZE;
	}
	/*
	 * The kernel parses the mask as a full tuple; only its source address
	 * and port are used (the destination always matches exactly).
	 */
	if (!cthd_tuple_put(nlh, size, CTA_EXPECT_TUPLE, family, exp->l4proto,
		       &t->src, &t->dst, t->sport, t->dport) ||
	    !cthd_tuple_put(nlh, size, CTA_EXPECT_MASK, family, exp->l4proto,
		       &m->src, &m->dst, m->sport, m->dport) ||
	    !mnl_attr_put_u32_check(nlh, size, CTA_EXPECT_CLASS, htonl(exp->class)))
		return -EMSGSIZE;
	if (exp->flags &&
	    !mnl_attr_put_u32_check(nlh, size, CTA_EXPECT_FLAGS, htonl(exp->flags)))
		return -EMSGSIZE;
	if (exp->nat) {
		struct nlattr *nat = mnl_attr_nest_start_check(nlh, size, CTA_EXPECT_NAT);

		/* saved_addr/saved_proto are taken from the tuple's source */
		if (!nat ||
		    !mnl_attr_put_u32_check(nlh, size, CTA_EXPECT_NAT_DIR, htonl(exp->nat_dir)) ||
		    !cthd_tuple_put(nlh, size, CTA_EXPECT_NAT_TUPLE, family, exp->l4proto,
			       &exp->nat_addr, &t->dst, exp->nat_port, 0))
			return -EMSGSIZE;
		mnl_attr_nest_end(nlh, nat);
	}
	if (exp->expectfn[0] &&
	    !mnl_attr_put_strz_check(nlh, size, CTA_EXPECT_FN, exp->expectfn))
		return -EMSGSIZE;
	if (exp->helper[0] &&
	    !mnl_attr_put_strz_check(nlh, size, CTA_EXPECT_HELP_NAME, exp->helper))
		return -EMSGSIZE;
	return 0;
}

struct nlmsghdr *cthd_expect_build_new(void *buf, size_t size, uint32_t seq,
				       const struct cthd_expect *exp,
				       const struct cthd_conntrack *master)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (size < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)master->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (cthd_expect_put(nlh, size, master->family, exp, master) < 0)
		return NULL;
	return nlh;
}
