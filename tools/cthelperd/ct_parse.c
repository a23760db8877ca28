// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parsing what the kernel attaches to a queued packet: its attributes, and
 * the conntrack (NFQA_CT) among them.
 */
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <string.h>

#include "ct_parse.h"

/*
 * One pass over an attribute area, without a callback per attribute (the
 * per-packet path parses some 25 of them): keep the last attribute of each
 * type the rules know, checked as mnl_attr_validate() would, and ignore the
 * rest (newer kernels). Stops, as libmnl does, at an attribute that does
 * not fit what is left.
 */
int cthd_nla_collect(const void *data, size_t len, const struct cthd_nla_rule *rules,
		     unsigned int max, const struct nlattr **tb)
{
	const uint8_t *p = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= sizeof(struct nlattr)) {
		const struct nlattr *attr = (const struct nlattr *)p;
		unsigned int type = attr->nla_type & NLA_TYPE_MASK;
		size_t alen = attr->nla_len, plen = alen - MNL_ATTR_HDRLEN, step;

		if (alen < sizeof(struct nlattr) || alen > len)
			break;
		if (type <= max && rules[type].kind != CTHD_NLA_IGNORE) {
			const struct cthd_nla_rule *r = &rules[type];
			const char *payload = (const char *)p + MNL_ATTR_HDRLEN;

			if ((r->len && plen != r->len) ||
			    (r->kind == CTHD_NLA_NESTED && plen && plen < MNL_ATTR_HDRLEN) ||
			    (r->kind == CTHD_NLA_STRING && (!plen || payload[plen - 1])))
				return -EINVAL;
			tb[type] = attr;
		}
		step = MNL_ALIGN(alen);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static int parse_nest(const struct nlattr *nest, const struct cthd_nla_rule *rules,
		      unsigned int max, const struct nlattr **tb)
{
	return cthd_nla_collect(cthd_nla_data(nest), cthd_nla_len(nest),
				rules, max, tb);
}

#define EXACT(n)	{ CTHD_NLA_BINARY, (n) }
#define NESTED		{ CTHD_NLA_NESTED, 0 }

static const struct cthd_nla_rule ip_rules[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = EXACT(4), [CTA_IP_V4_DST] = EXACT(4),
	[CTA_IP_V6_SRC] = EXACT(16), [CTA_IP_V6_DST] = EXACT(16),
};

static const struct cthd_nla_rule proto_rules[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = EXACT(1),
	[CTA_PROTO_SRC_PORT] = EXACT(2), [CTA_PROTO_DST_PORT] = EXACT(2),
};

static const struct cthd_nla_rule tuple_rules[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = NESTED, [CTA_TUPLE_PROTO] = NESTED,
};

static const struct cthd_nla_rule help_rules[CTA_HELP_MAX + 1] = {
	[CTA_HELP_NAME] = { CTHD_NLA_STRING, 0 }, [CTA_HELP_INFO] = { CTHD_NLA_BINARY, 0 },
};

static const struct cthd_nla_rule ct_rules[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = NESTED, [CTA_TUPLE_REPLY] = NESTED,
	[CTA_STATUS] = EXACT(4), [CTA_ID] = EXACT(4),
	[CTA_HELP] = NESTED,
};

static const struct cthd_nla_rule exp_rules[CTA_EXPECT_MAX + 1] = {
	[CTA_EXPECT_TUPLE] = NESTED, [CTA_EXPECT_TIMEOUT] = EXACT(4),
};

static int parse_tuple(const struct nlattr *nest, int *family, uint8_t *l4proto,
		       struct cthd_tuple *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1],
			    *proto[CTA_PROTO_MAX + 1];

	if (parse_nest(nest, tuple_rules, CTA_TUPLE_MAX, tb) || !tb[CTA_TUPLE_IP] ||
	    !tb[CTA_TUPLE_PROTO] || parse_nest(tb[CTA_TUPLE_IP], ip_rules, CTA_IP_MAX, ip) ||
	    parse_nest(tb[CTA_TUPLE_PROTO], proto_rules, CTA_PROTO_MAX, proto) ||
	    !proto[CTA_PROTO_NUM])
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	if (ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST]) {
		*family = AF_INET;
		memcpy(&t->src, cthd_nla_data(ip[CTA_IP_V4_SRC]), 4);
		memcpy(&t->dst, cthd_nla_data(ip[CTA_IP_V4_DST]), 4);
	} else if (ip[CTA_IP_V6_SRC] && ip[CTA_IP_V6_DST]) {
		*family = AF_INET6;
		memcpy(&t->src, cthd_nla_data(ip[CTA_IP_V6_SRC]), 16);
		memcpy(&t->dst, cthd_nla_data(ip[CTA_IP_V6_DST]), 16);
	} else {
		return -EINVAL;
	}
	*l4proto = cthd_nla_u8(proto[CTA_PROTO_NUM]);
	if (proto[CTA_PROTO_SRC_PORT])
		t->sport = ntohs(cthd_nla_u16(proto[CTA_PROTO_SRC_PORT]));
	if (proto[CTA_PROTO_DST_PORT])
		t->dport = ntohs(cthd_nla_u16(proto[CTA_PROTO_DST_PORT]));
	if ((*l4proto == IPPROTO_TCP || *l4proto == IPPROTO_UDP) &&
	    (!proto[CTA_PROTO_SRC_PORT] || !proto[CTA_PROTO_DST_PORT]))
		return -EINVAL;
	return 0;
}

int cthd_ct_parse(const struct nlattr *nfqa_ct, struct cthd_ct_info *info)
{
	const struct nlattr *tb[CTA_MAX + 1], *help[CTA_HELP_MAX + 1];
	int family_reply;
	uint8_t l4_reply;

	memset(info, 0, sizeof(*info));
	if (parse_nest(nfqa_ct, ct_rules, CTA_MAX, tb) || !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return -EINVAL;
	if (parse_tuple(tb[CTA_TUPLE_ORIG], &info->ct.family, &info->ct.l4proto,
			&info->ct.tuple[CTHD_DIR_ORIGINAL]) ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], &family_reply, &l4_reply,
			&info->ct.tuple[CTHD_DIR_REPLY]))
		return -EINVAL;
	if (family_reply != info->ct.family || l4_reply != info->ct.l4proto)
		return -EINVAL;
	if (tb[CTA_STATUS])
		info->ct.status = ntohl(cthd_nla_u32(tb[CTA_STATUS]));
	if (tb[CTA_ID])
		info->ct.id = ntohl(cthd_nla_u32(tb[CTA_ID]));
	if (tb[CTA_HELP]) {
		const char *name;
		size_t len;

		if (parse_nest(tb[CTA_HELP], help_rules, CTA_HELP_MAX, help) ||
		    !help[CTA_HELP_NAME])
			return -EINVAL;
		info->has_help = true;
		/* NUL-terminated (checked); cut to the size of a helper name */
		name = (const char *)cthd_nla_data(help[CTA_HELP_NAME]);
		len = strnlen(name, sizeof(info->help_name) - 1);
		memcpy(info->help_name, name, len);
		info->help_name[len] = '\0';
		if (help[CTA_HELP_INFO]) {
			info->help_info = cthd_nla_data(help[CTA_HELP_INFO]);
			info->help_info_len = cthd_nla_len(help[CTA_HELP_INFO]);
		}
	}
	return 0;
}

int cthd_exp_parse(const struct nlmsghdr *nlh, struct cthd_exp_seen *e)
{
	const struct nlattr *tb[CTA_EXPECT_MAX + 1];
	struct cthd_tuple t;
	int family;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    cthd_nla_collect(mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg)),
			     nlh->nlmsg_len - MNL_NLMSG_HDRLEN - MNL_ALIGN(sizeof(struct nfgenmsg)),
			     exp_rules, CTA_EXPECT_MAX, tb) < 0 ||
	    !tb[CTA_EXPECT_TUPLE] || !tb[CTA_EXPECT_TIMEOUT] ||
	    parse_tuple(tb[CTA_EXPECT_TUPLE], &family, &e->l4proto, &t))
		return -EINVAL;
	e->dst = t.dst;
	e->dport = t.dport;
	e->timeout = ntohl(cthd_nla_u32(tb[CTA_EXPECT_TIMEOUT]));
	return 0;
}
