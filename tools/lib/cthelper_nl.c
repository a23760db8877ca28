// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build and parse nfnetlink_cthelper messages (see cthelper_nl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>

#include <libmnl/libmnl.h>

#include "nl_internal.h"
#include "cthelper_nl.h"

static int copy_name(char *dst, size_t dstlen, const char *src)
{
	size_t len = strlen(src);

	if (len == 0)
		return -EINVAL;
	if (len >= dstlen)
		return -ERANGE;
	memcpy(dst, src, len + 1);
	return 0;
}

int cth_helper_set_name(struct cth_helper *h, const char *name)
{
	int err = copy_name(h->name, sizeof(h->name), name);

	if (err == 0)
		h->present |= CTH_F_NAME;
	return err;
}

void cth_helper_set_tuple(struct cth_helper *h, uint16_t l3num, uint8_t l4num)
{
	h->l3num = l3num;
	h->l4num = l4num;
	h->present |= CTH_F_TUPLE;
}

void cth_helper_set_queue(struct cth_helper *h, uint32_t queue_num)
{
	h->queue_num = queue_num;
	h->present |= CTH_F_QUEUE_NUM;
}

void cth_helper_set_status(struct cth_helper *h, uint32_t status)
{
	h->status = status;
	h->present |= CTH_F_STATUS;
}

void cth_helper_set_flags(struct cth_helper *h, uint32_t flags)
{
	h->flags = flags;
	h->present |= CTH_F_FLAGS;
}

void cth_helper_set_priv_data_len(struct cth_helper *h, uint32_t len)
{
	h->priv_data_len = len;
	h->present |= CTH_F_PRIV_DATA_LEN;
}

int cth_helper_add_policy(struct cth_helper *h, const char *name,
			  uint32_t max_expected, uint32_t timeout)
{
	struct cth_policy *p;
	int err;

	if (h->policy_count >= CTH_POLICY_MAX)
		return -ENOSPC;
	p = &h->policy[h->policy_count];
	err = copy_name(p->name, sizeof(p->name), name);
	if (err)
		return err;
	p->max_expected = max_expected;
	p->timeout = timeout;
	h->policy_count++;
	h->present |= CTH_F_POLICY;
	return 0;
}

#define CHECK_FAIL(err, ...) do {				\
	if (why && whylen)					\
		snprintf(why, whylen, __VA_ARGS__);		\
	return (err);						\
} while (0)

static int name_ok(const char *name, size_t size)
{
	return name[0] != '\0' && memchr(name, '\0', size) != NULL;
}

int cth_helper_check(const struct cth_helper *h, enum cth_check_mode mode,
		     char *why, size_t whylen)
{
	uint32_t need = 0;
	uint32_t i;

	switch (mode) {
	case CTH_CHECK_CREATE:
		need = CTH_F_NAME | CTH_F_TUPLE | CTH_F_POLICY |
		       CTH_F_PRIV_DATA_LEN;
		break;
	case CTH_CHECK_UPDATE:
		need = CTH_F_NAME | CTH_F_TUPLE;
		break;
	case CTH_CHECK_LOOKUP:
		break;
	}
	if ((need & CTH_F_NAME) && !(h->present & CTH_F_NAME))
		CHECK_FAIL(-EINVAL, "helper name missing");
	if ((need & CTH_F_TUPLE) && !(h->present & CTH_F_TUPLE))
		CHECK_FAIL(-EINVAL, "family and protocol missing");
	if ((need & CTH_F_POLICY) && !(h->present & CTH_F_POLICY))
		CHECK_FAIL(-EINVAL, "no expectation policy");
	if ((need & CTH_F_PRIV_DATA_LEN) && !(h->present & CTH_F_PRIV_DATA_LEN))
		CHECK_FAIL(-EINVAL, "private data length missing");

	if ((h->present & CTH_F_NAME) && !name_ok(h->name, sizeof(h->name)))
		CHECK_FAIL(-EINVAL, "helper name must be 1 to %d characters",
			   CTH_NAME_SIZE - 1);
	if (h->present & CTH_F_TUPLE) {
		if (h->l3num != NFPROTO_IPV4 && h->l3num != NFPROTO_IPV6)
			CHECK_FAIL(-EINVAL, "family %u is neither inet (%d) nor inet6 (%d)",
				   h->l3num, NFPROTO_IPV4, NFPROTO_IPV6);
		if (h->l4num == 0)
			CHECK_FAIL(-ERANGE, "layer 4 protocol must not be 0");
	}
	if ((h->present & CTH_F_QUEUE_NUM) && h->queue_num > CTH_QUEUE_NUM_MAX)
		CHECK_FAIL(-ERANGE, "queue %u out of range 0..%d",
			   h->queue_num, CTH_QUEUE_NUM_MAX);
	if ((h->present & CTH_F_STATUS) && h->status != CTH_STATUS_DISABLED &&
	    h->status != CTH_STATUS_ENABLED)
		CHECK_FAIL(-ERANGE, "status %u is neither 0 (disabled) nor 1 (enabled)",
			   h->status);
	if ((h->present & CTH_F_FLAGS) && (h->flags & ~CTH_FLAGS_KNOWN))
		CHECK_FAIL(-ERANGE, "unknown flags 0x%x", h->flags & ~CTH_FLAGS_KNOWN);
	if ((h->present & CTH_F_PRIV_DATA_LEN) &&
	    h->priv_data_len > CTH_PRIV_DATA_MAX)
		CHECK_FAIL(-ERANGE, "private data length %u exceeds %d bytes",
			   h->priv_data_len, CTH_PRIV_DATA_MAX);
	if (h->present & CTH_F_POLICY) {
		if (h->policy_count < 1 || h->policy_count > CTH_POLICY_MAX)
			CHECK_FAIL(-ERANGE, "%u expectation classes, must be 1..%d",
				   h->policy_count, CTH_POLICY_MAX);
		for (i = 0; i < h->policy_count; i++) {
			const struct cth_policy *p = &h->policy[i];

			if (!name_ok(p->name, sizeof(p->name)))
				CHECK_FAIL(-EINVAL, "policy %u: name must be 1 to %d characters",
					   i + 1, CTH_POLICY_NAME_SIZE - 1);
			/* 0 is no limit per connection, as upstream. */
			if (p->max_expected > CTH_EXPECT_MAX_LIMIT)
				CHECK_FAIL(-ERANGE, "policy '%s': max expected %u out of range 0..%d",
					   p->name, p->max_expected,
					   CTH_EXPECT_MAX_LIMIT);
		}
	}
	return 0;
}

static struct nlmsghdr *build_hdr(void *buf, size_t buflen, uint8_t msg,
				  uint16_t nlm_flags)
{
	return nfnl_request_start(buf, buflen, CTH_MSG_BUFSZ, NFNL_SUBSYS_CTHELPER, msg, nlm_flags);
}

static void put_tuple(struct nlmsghdr *nlh, const struct cth_helper *h)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFCTH_TUPLE);

	mnl_attr_put_u16(nlh, NFCTH_TUPLE_L3PROTONUM, htons(h->l3num));
	mnl_attr_put_u8(nlh, NFCTH_TUPLE_L4PROTONUM, h->l4num);
	mnl_attr_nest_end(nlh, nest);
}

static void put_policies(struct nlmsghdr *nlh, const struct cth_helper *h)
{
	struct nlattr *nest, *set;
	uint32_t i;

	nest = mnl_attr_nest_start(nlh, NFCTH_POLICY);
	/* Sets first, then SET_NUM: the order conntrack-tools uses. */
	for (i = 0; i < h->policy_count && i < CTH_POLICY_MAX; i++) {
		const struct cth_policy *p = &h->policy[i];

		set = mnl_attr_nest_start(nlh, NFCTH_POLICY_SET1 + i);
		mnl_attr_put_strz(nlh, NFCTH_POLICY_NAME, p->name);
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_MAX,
				 htonl(p->max_expected));
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_TIMEOUT,
				 htonl(p->timeout));
		mnl_attr_nest_end(nlh, set);
	}
	mnl_attr_put_u32(nlh, NFCTH_POLICY_SET_NUM, htonl(h->policy_count));
	mnl_attr_nest_end(nlh, nest);
}

struct nlmsghdr *cth_helper_build_new(void *buf, size_t buflen,
				      uint16_t nlm_flags,
				      const struct cth_helper *h)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, NFNL_MSG_CTHELPER_NEW,
			NLM_F_ACK | nlm_flags);
	if (!nlh)
		return NULL;

	if (h->present & CTH_F_NAME)
		mnl_attr_put_strz(nlh, NFCTH_NAME, h->name);
	if (h->present & CTH_F_QUEUE_NUM)
		mnl_attr_put_u32(nlh, NFCTH_QUEUE_NUM, htonl(h->queue_num));
	if (h->present & CTH_F_PRIV_DATA_LEN)
		mnl_attr_put_u32(nlh, NFCTH_PRIV_DATA_LEN,
				 htonl(h->priv_data_len));
	if (h->present & CTH_F_TUPLE)
		put_tuple(nlh, h);
	if (h->present & CTH_F_POLICY)
		put_policies(nlh, h);
	if (h->present & CTH_F_STATUS)
		mnl_attr_put_u32(nlh, NFCTH_STATUS, htonl(h->status));
	/*
	 * Only our kernel knows FLAGS: leave it out when creating with none,
	 * so kernels without it accept the request; an update sends 0 to
	 * clear fail-closed.
	 */
	if ((h->present & CTH_F_FLAGS) &&
	    (h->flags || !(nlm_flags & NLM_F_CREATE)))
		mnl_attr_put_u32(nlh, NFCTH_FLAGS, htonl(h->flags));
	return nlh;
}

static struct nlmsghdr *build_lookup(void *buf, size_t buflen, uint8_t msg,
				     uint16_t nlm_flags,
				     const struct cth_helper *filter)
{
	struct nlmsghdr *nlh;

	nlh = build_hdr(buf, buflen, msg, nlm_flags);
	if (!nlh)
		return NULL;
	if (filter && (filter->present & CTH_F_NAME)) {
		mnl_attr_put_strz(nlh, NFCTH_NAME, filter->name);
		if (filter->present & CTH_F_TUPLE)
			put_tuple(nlh, filter);
	}
	return nlh;
}

struct nlmsghdr *cth_helper_build_get(void *buf, size_t buflen,
				      const struct cth_helper *filter)
{
	if (!filter || !(filter->present & CTH_F_NAME))
		return build_lookup(buf, buflen, NFNL_MSG_CTHELPER_GET,
				    NLM_F_DUMP, NULL);
	return build_lookup(buf, buflen, NFNL_MSG_CTHELPER_GET, NLM_F_ACK,
			    filter);
}

struct nlmsghdr *cth_helper_build_del(void *buf, size_t buflen,
				      const struct cth_helper *filter)
{
	return build_lookup(buf, buflen, NFNL_MSG_CTHELPER_DEL, NLM_F_ACK,
			    filter);
}

/* --- parsing ------------------------------------------------------------ */

static const enum mnl_attr_data_type helper_types[CTH_ATTR_MAX + 1] = {
	[NFCTH_NAME]		= MNL_TYPE_NUL_STRING,
	[NFCTH_TUPLE]		= MNL_TYPE_NESTED,
	[NFCTH_QUEUE_NUM]	= MNL_TYPE_U32,
	[NFCTH_POLICY]		= MNL_TYPE_NESTED,
	[NFCTH_PRIV_DATA_LEN]	= MNL_TYPE_U32,
	[NFCTH_STATUS]		= MNL_TYPE_U32,
	[NFCTH_FLAGS]		= MNL_TYPE_U32,
};

static const enum mnl_attr_data_type tuple_types[NFCTH_TUPLE_MAX + 1] = {
	[NFCTH_TUPLE_L3PROTONUM]	= MNL_TYPE_U16,
	[NFCTH_TUPLE_L4PROTONUM]	= MNL_TYPE_U8,
};

static const enum mnl_attr_data_type policy_set_types[NFCTH_POLICY_SET_MAX + 1] = {
	[NFCTH_POLICY_SET_NUM]	= MNL_TYPE_U32,
	[NFCTH_POLICY_SET1]	= MNL_TYPE_NESTED,
	[NFCTH_POLICY_SET2]	= MNL_TYPE_NESTED,
	[NFCTH_POLICY_SET3]	= MNL_TYPE_NESTED,
	[NFCTH_POLICY_SET4]	= MNL_TYPE_NESTED,
};

static const enum mnl_attr_data_type policy_types[NFCTH_POLICY_MAX + 1] = {
	[NFCTH_POLICY_NAME]		= MNL_TYPE_NUL_STRING,
	[NFCTH_POLICY_EXPECT_MAX]	= MNL_TYPE_U32,
	[NFCTH_POLICY_EXPECT_TIMEOUT]	= MNL_TYPE_U32,
};

static int parse_string(char *dst, size_t size, const struct nlattr *attr)
{
	const char *s = mnl_attr_get_str(attr);
	size_t len = strnlen(s, mnl_attr_get_payload_len(attr));

	if (len >= size)
		return -EINVAL;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

static int parse_policies(const struct nlattr *nest, struct cth_helper *h)
{
	const struct nlattr *sets[NFCTH_POLICY_SET_MAX + 1] = { NULL };
	uint32_t count, i;

	if (attr_table_parse_nested(nest, sets, policy_set_types,
				    NFCTH_POLICY_SET_MAX) < 0)
		return -EINVAL;
	if (!sets[NFCTH_POLICY_SET_NUM])
		return -EINVAL;
	count = ntohl(mnl_attr_get_u32(sets[NFCTH_POLICY_SET_NUM]));
	if (count < 1 || count > CTH_POLICY_MAX)
		return -EINVAL;

	for (i = 0; i < count; i++) {
		const struct nlattr *tb[NFCTH_POLICY_MAX + 1] = { NULL };
		const struct nlattr *set = sets[NFCTH_POLICY_SET1 + i];
		struct cth_policy *p = &h->policy[i];

		if (!set)
			return -EINVAL;	/* a hole in the sets */
		if (attr_table_parse_nested(set, tb, policy_types,
					    NFCTH_POLICY_MAX) < 0)
			return -EINVAL;
		if (!tb[NFCTH_POLICY_NAME] || !tb[NFCTH_POLICY_EXPECT_MAX] ||
		    !tb[NFCTH_POLICY_EXPECT_TIMEOUT])
			return -EINVAL;
		if (parse_string(p->name, sizeof(p->name), tb[NFCTH_POLICY_NAME]))
			return -EINVAL;
		p->max_expected =
			ntohl(mnl_attr_get_u32(tb[NFCTH_POLICY_EXPECT_MAX]));
		p->timeout =
			ntohl(mnl_attr_get_u32(tb[NFCTH_POLICY_EXPECT_TIMEOUT]));
	}
	h->policy_count = count;
	h->present |= CTH_F_POLICY;
	return 0;
}

int cth_helper_parse(const struct nlmsghdr *nlh, struct cth_helper *h)
{
	const struct nlattr *tb[CTH_ATTR_MAX + 1] = { NULL };
	int err;

	memset(h, 0, sizeof(*h));
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTHELPER ||
	    (nlh->nlmsg_type & 0xff) != NFNL_MSG_CTHELPER_NEW)
		return -EPROTO;
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EINVAL;
	if (attr_table_parse(nlh, sizeof(struct nfgenmsg), tb, helper_types,
			     CTH_ATTR_MAX) < 0)
		return -EINVAL;

	if (tb[NFCTH_NAME]) {
		if (parse_string(h->name, sizeof(h->name), tb[NFCTH_NAME]))
			return -EINVAL;
		h->present |= CTH_F_NAME;
	}
	if (tb[NFCTH_TUPLE]) {
		const struct nlattr *tt[NFCTH_TUPLE_MAX + 1] = { NULL };

		if (attr_table_parse_nested(tb[NFCTH_TUPLE], tt, tuple_types,
					    NFCTH_TUPLE_MAX) < 0)
			return -EINVAL;
		if (!tt[NFCTH_TUPLE_L3PROTONUM] || !tt[NFCTH_TUPLE_L4PROTONUM])
			return -EINVAL;
		cth_helper_set_tuple(h,
			ntohs(mnl_attr_get_u16(tt[NFCTH_TUPLE_L3PROTONUM])),
			mnl_attr_get_u8(tt[NFCTH_TUPLE_L4PROTONUM]));
	}
	if (tb[NFCTH_QUEUE_NUM])
		cth_helper_set_queue(h, ntohl(mnl_attr_get_u32(tb[NFCTH_QUEUE_NUM])));
	if (tb[NFCTH_POLICY]) {
		err = parse_policies(tb[NFCTH_POLICY], h);
		if (err)
			return err;
	}
	if (tb[NFCTH_PRIV_DATA_LEN])
		cth_helper_set_priv_data_len(h,
			ntohl(mnl_attr_get_u32(tb[NFCTH_PRIV_DATA_LEN])));
	if (tb[NFCTH_STATUS])
		cth_helper_set_status(h, ntohl(mnl_attr_get_u32(tb[NFCTH_STATUS])));
	if (tb[NFCTH_FLAGS])
		cth_helper_set_flags(h, ntohl(mnl_attr_get_u32(tb[NFCTH_FLAGS])));
	return 0;
}

int cth_helper_equal(const struct cth_helper *a, const struct cth_helper *b)
{
	uint32_t i;

	if (a->present != b->present)
		return 0;
	if ((a->present & CTH_F_NAME) && strcmp(a->name, b->name))
		return 0;
	if ((a->present & CTH_F_TUPLE) &&
	    (a->l3num != b->l3num || a->l4num != b->l4num))
		return 0;
	if ((a->present & CTH_F_QUEUE_NUM) && a->queue_num != b->queue_num)
		return 0;
	if ((a->present & CTH_F_STATUS) && a->status != b->status)
		return 0;
	if ((a->present & CTH_F_FLAGS) && a->flags != b->flags)
		return 0;
	if ((a->present & CTH_F_PRIV_DATA_LEN) &&
	    a->priv_data_len != b->priv_data_len)
		return 0;
	if (a->present & CTH_F_POLICY) {
		if (a->policy_count != b->policy_count)
			return 0;
		for (i = 0; i < a->policy_count; i++) {
			if (strcmp(a->policy[i].name, b->policy[i].name) ||
			    a->policy[i].max_expected != b->policy[i].max_expected ||
			    a->policy[i].timeout != b->policy[i].timeout)
				return 0;
		}
	}
	return 1;
}
