/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attr_table.h - internal: table-driven attribute parsing for libcthelper.
 * One callback for every nest: the table says each known attribute's type,
 * unknown attributes are skipped (newer kernels must not break us).
 */
#ifndef CTH_ATTR_TABLE_H
#define CTH_ATTR_TABLE_H

#include <libmnl/libmnl.h>

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

#endif /* CTH_ATTR_TABLE_H */
