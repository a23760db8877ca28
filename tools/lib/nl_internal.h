/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl_internal.h - internal to libcthelper: the nfnetlink request header
 * both subsystems start with, and table-driven attribute parsing (one
 * callback for every nest: the table says each known attribute's type,
 * unknown attributes are skipped, so newer kernels do not break us).
 */
#ifndef CTH_NL_INTERNAL_H
#define CTH_NL_INTERNAL_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>

/*
 * Start a request of @subsys/@msg in @buf, which must hold @minlen bytes
 * (else NULL, errno ENOSPC). The whole buffer is zeroed first: libmnl
 * 1.0.4 leaves attribute padding as it finds it.
 */
static inline struct nlmsghdr *nfnl_request_start(void *buf, size_t buflen,
						  size_t minlen, uint8_t subsys,
						  uint8_t msg, uint16_t nlm_flags)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (buflen < minlen) {
		errno = ENOSPC;
		return NULL;
	}
	memset(buf, 0, minlen);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (uint16_t)((subsys << 8) | msg);
	nlh->nlmsg_flags = NLM_F_REQUEST | nlm_flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

struct attr_table {
	const struct nlattr **tb;		/* out: tb[type], max + 1 entries */
	const enum mnl_attr_data_type *types;	/* in: expected type, max + 1 */
	uint16_t max;
};

static inline int attr_table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, t->max) < 0)
		return MNL_CB_OK;
	if (t->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, t->types[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

/* Parse the attributes of @nlh after @offset bytes of payload header. */
static inline int attr_table_parse(const struct nlmsghdr *nlh, unsigned int offset,
				   const struct nlattr **tb,
				   const enum mnl_attr_data_type *types, uint16_t max)
{
	struct attr_table t = { .tb = tb, .types = types, .max = max };

	return mnl_attr_parse(nlh, offset, attr_table_cb, &t);
}

static inline int attr_table_parse_nested(const struct nlattr *nest,
					  const struct nlattr **tb,
					  const enum mnl_attr_data_type *types,
					  uint16_t max)
{
	struct attr_table t = { .tb = tb, .types = types, .max = max };

	return mnl_attr_parse_nested(nest, attr_table_cb, &t);
}

#endif /* CTH_NL_INTERNAL_H */
