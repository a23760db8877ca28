// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NFQA_CT parsing with libmnl: each nest has a callback that keeps the
 * attributes it knows, validated, and ignores the rest (newer kernels).
 */
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ct_parse.h"

/* Collect the attributes of one nest, indexed by type, up to max. */
struct attr_table {
	const struct nlattr **tb;
	unsigned int max;
	const enum mnl_attr_data_type *types;	/* per type; MNL_TYPE_UNSPEC: skip */
	const unsigned int *lens;		/* per type; exact length or 0 */
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > t->max || t->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (t->lens[type]) {
		if (mnl_attr_validate2(attr, t->types[type], t->lens[type]) < 0)
			return MNL_CB_ERROR;
	} else if (mnl_attr_validate(attr, t->types[type]) < 0) {
		return MNL_CB_ERROR;
	}
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_nest(const struct nlattr *nest, const struct attr_table *t)
{
	memset(t->tb, 0, sizeof(*t->tb) * (t->max + 1));
	return mnl_attr_parse_nested(nest, collect_cb, (void *)t) < 0 ? -EINVAL : 0;
}

static const enum mnl_attr_data_type ip_types[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = MNL_TYPE_BINARY, [CTA_IP_V4_DST] = MNL_TYPE_BINARY,
	[CTA_IP_V6_SRC] = MNL_TYPE_BINARY, [CTA_IP_V6_DST] = MNL_TYPE_BINARY,
};
static const unsigned int ip_lens[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = 4, [CTA_IP_V4_DST] = 4,
	[CTA_IP_V6_SRC] = 16, [CTA_IP_V6_DST] = 16,
};

static const enum mnl_attr_data_type proto_types[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = MNL_TYPE_U8,
	[CTA_PROTO_SRC_PORT] = MNL_TYPE_U16, [CTA_PROTO_DST_PORT] = MNL_TYPE_U16,
};
static const unsigned int proto_lens[CTA_PROTO_MAX + 1];

static const enum mnl_attr_data_type tuple_types[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = MNL_TYPE_NESTED, [CTA_TUPLE_PROTO] = MNL_TYPE_NESTED,
};
static const unsigned int tuple_lens[CTA_TUPLE_MAX + 1];

static const enum mnl_attr_data_type help_types[CTA_HELP_MAX + 1] = {
	[CTA_HELP_NAME] = MNL_TYPE_NUL_STRING, [CTA_HELP_INFO] = MNL_TYPE_BINARY,
};
static const unsigned int help_lens[CTA_HELP_MAX + 1];

static const enum mnl_attr_data_type ct_types[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = MNL_TYPE_NESTED, [CTA_TUPLE_REPLY] = MNL_TYPE_NESTED,
	[CTA_STATUS] = MNL_TYPE_U32, [CTA_ID] = MNL_TYPE_U32,
	[CTA_HELP] = MNL_TYPE_NESTED,
};
static const unsigned int ct_lens[CTA_MAX + 1];

static const enum mnl_attr_data_type exp_types[CTA_EXPECT_MAX + 1] = {
	[CTA_EXPECT_TUPLE] = MNL_TYPE_NESTED, [CTA_EXPECT_TIMEOUT] = MNL_TYPE_U32,
};
static const unsigned int exp_lens[CTA_EXPECT_MAX + 1];

static int parse_tuple(const struct nlattr *nest, int *family, uint8_t *l4proto,
		       struct cthd_tuple *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1],
			    *proto[CTA_PROTO_MAX + 1];
	struct attr_table tuple = { tb, CTA_TUPLE_MAX, tuple_types, tuple_lens };
	struct attr_table ipt = { ip, CTA_IP_MAX, ip_types, ip_lens };
	struct attr_table protot = { proto, CTA_PROTO_MAX, proto_types, proto_lens };

	if (parse_nest(nest, &tuple) || !tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO] ||
	    parse_nest(tb[CTA_TUPLE_IP], &ipt) || parse_nest(tb[CTA_TUPLE_PROTO], &protot) ||
	    !proto[CTA_PROTO_NUM])
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	if (ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST]) {
		*family = AF_INET;
		memcpy(&t->src, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), 4);
		memcpy(&t->dst, mnl_attr_get_payload(ip[CTA_IP_V4_DST]), 4);
	} else if (ip[CTA_IP_V6_SRC] && ip[CTA_IP_V6_DST]) {
		*family = AF_INET6;
		memcpy(&t->src, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
		memcpy(&t->dst, mnl_attr_get_payload(ip[CTA_IP_V6_DST]), 16);
	} else {
		return -EINVAL;
	}
	*l4proto = mnl_attr_get_u8(proto[CTA_PROTO_NUM]);
	if (proto[CTA_PROTO_SRC_PORT])
		t->sport = ntohs(mnl_attr_get_u16(proto[CTA_PROTO_SRC_PORT]));
	if (proto[CTA_PROTO_DST_PORT])
		t->dport = ntohs(mnl_attr_get_u16(proto[CTA_PROTO_DST_PORT]));
	if ((*l4proto == IPPROTO_TCP || *l4proto == IPPROTO_UDP) &&
	    (!proto[CTA_PROTO_SRC_PORT] || !proto[CTA_PROTO_DST_PORT]))
		return -EINVAL;
	return 0;
}

int cthd_ct_parse(const struct nlattr *nfqa_ct, struct cthd_ct_info *info)
{
	const struct nlattr *tb[CTA_MAX + 1], *help[CTA_HELP_MAX + 1];
	struct attr_table ct = { tb, CTA_MAX, ct_types, ct_lens };
	struct attr_table helpt = { help, CTA_HELP_MAX, help_types, help_lens };
	int family_reply;
	uint8_t l4_reply;

	memset(info, 0, sizeof(*info));
	if (parse_nest(nfqa_ct, &ct) || !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return -EINVAL;
	if (parse_tuple(tb[CTA_TUPLE_ORIG], &info->ct.family, &info->ct.l4proto,
			&info->ct.tuple[CTHD_DIR_ORIGINAL]) ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], &family_reply, &l4_reply,
			&info->ct.tuple[CTHD_DIR_REPLY]))
		return -EINVAL;
	if (family_reply != info->ct.family || l4_reply != info->ct.l4proto)
		return -EINVAL;
	if (tb[CTA_STATUS])
		info->ct.status = ntohl(mnl_attr_get_u32(tb[CTA_STATUS]));
	if (tb[CTA_ID])
		info->ct.id = ntohl(mnl_attr_get_u32(tb[CTA_ID]));
	if (tb[CTA_HELP]) {
		if (parse_nest(tb[CTA_HELP], &helpt) || !help[CTA_HELP_NAME])
			return -EINVAL;
		info->has_help = true;
		snprintf(info->help_name, sizeof(info->help_name), "%s",
			 mnl_attr_get_str(help[CTA_HELP_NAME]));
		if (help[CTA_HELP_INFO]) {
			info->help_info = mnl_attr_get_payload(help[CTA_HELP_INFO]);
			info->help_info_len = mnl_attr_get_payload_len(help[CTA_HELP_INFO]);
		}
	}
	return 0;
}

int cthd_exp_parse(const struct nlmsghdr *nlh, struct cthd_exp_seen *e)
{
	const struct nlattr *tb[CTA_EXPECT_MAX + 1];
	struct attr_table expt = { tb, CTA_EXPECT_MAX, exp_types, exp_lens };
	struct cthd_tuple t;
	int family;

	memset(e, 0, sizeof(*e));
	memset(tb, 0, sizeof(tb));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), collect_cb, &expt) < 0 ||
	    !tb[CTA_EXPECT_TUPLE] || !tb[CTA_EXPECT_TIMEOUT] ||
	    parse_tuple(tb[CTA_EXPECT_TUPLE], &family, &e->l4proto, &t))
		return -EINVAL;
	e->dst = t.dst;
	e->dport = t.dport;
	e->timeout = ntohl(mnl_attr_get_u32(tb[CTA_EXPECT_TIMEOUT]));
	return 0;
}
