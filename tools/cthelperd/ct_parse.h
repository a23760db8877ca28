/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing what the kernel attaches to a queued packet, its conntrack (NFQA_CT) first. */
#ifndef CTHELPERD_CT_PARSE_H
#define CTHELPERD_CT_PARSE_H

#include <libmnl/libmnl.h>
#include <string.h>

#include "helper.h"

/* How cthd_nla_collect() checks an attribute type it keeps. */
enum cthd_nla_kind {
	CTHD_NLA_IGNORE = 0,		/* not kept */
	CTHD_NLA_BINARY,		/* len: exact payload length, 0 for any */
	CTHD_NLA_NESTED,		/* empty, or at least one attribute header */
	CTHD_NLA_STRING,		/* not empty, NUL-terminated */
};

struct cthd_nla_rule {
	enum cthd_nla_kind kind;
	uint16_t len;
};

/*
 * Collect the attributes in data[0..len) by type into tb[0..max], the last
 * of each type that rules[type] keeps; other types are ignored. Returns 0,
 * or -EINVAL when a kept attribute breaks its rule.
 */
int cthd_nla_collect(const void *data, size_t len, const struct cthd_nla_rule *rules,
		     unsigned int max, const struct nlattr **tb);

/*
 * libmnl's attribute accessors, inline: the per-packet path reads some 30
 * attributes, each a call into the shared library otherwise. For
 * attributes cthd_nla_collect() checked.
 */
static inline const void *cthd_nla_data(const struct nlattr *attr)
{
	return (const uint8_t *)attr + MNL_ATTR_HDRLEN;
}

static inline uint16_t cthd_nla_len(const struct nlattr *attr)
{
	return (uint16_t)(attr->nla_len - MNL_ATTR_HDRLEN);
}

static inline uint8_t cthd_nla_u8(const struct nlattr *attr)
{
	return *(const uint8_t *)cthd_nla_data(attr);
}

static inline uint16_t cthd_nla_u16(const struct nlattr *attr)
{
	uint16_t v;

	memcpy(&v, cthd_nla_data(attr), sizeof(v));
	return v;
}

static inline uint32_t cthd_nla_u32(const struct nlattr *attr)
{
	uint32_t v;

	memcpy(&v, cthd_nla_data(attr), sizeof(v));
	return v;
}

struct cthd_ct_info {
	struct cthd_conntrack ct;
	bool has_help;
	char help_name[CTHD_NAME_MAX];
	const void *help_info;		/* points into the message; NULL if absent */
	size_t help_info_len;
};

/*
 * Parse the NFQA_CT nest. Needs both tuples with addresses and L4 protocol
 * numbers of one family; ports only for protocols that have them. Unknown
 * attributes are ignored. Returns 0 or -EINVAL.
 */
int cthd_ct_parse(const struct nlattr *nfqa_ct, struct cthd_ct_info *info);

/* An expectation of a ctnetlink dump: where it sends its peer, for how long. */
struct cthd_exp_seen {
	uint8_t l4proto;
	union cthd_addr dst;
	uint16_t dport;
	uint32_t timeout;		/* seconds left */
};

/* Parse one IPCTNL_MSG_EXP_NEW message (a dump's); 0 or -EINVAL. */
int cthd_exp_parse(const struct nlmsghdr *nlh, struct cthd_exp_seen *e);

#endif
