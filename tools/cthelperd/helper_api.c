// SPDX-License-Identifier: GPL-2.0-or-later
/* The small library helper.h offers to protocol helpers. */
#include <errno.h>
#include <string.h>

#include "helper.h"

struct cth_nat cth_conntrack_nat(const struct cth_conntrack *ct)
{
	const struct cth_tuple *orig = &ct->tuple[CTH_DIR_ORIGINAL];
	const struct cth_tuple *reply = &ct->tuple[CTH_DIR_REPLY];
	struct cth_nat nat = {
		.src_nat = memcmp(&orig->src, &reply->dst, sizeof(orig->src)) ||
			   orig->sport != reply->dport,
		.dst_nat = memcmp(&orig->dst, &reply->src, sizeof(orig->dst)) ||
			   orig->dport != reply->sport,
	};

	return nat;
}

int cth_result_add_expect(struct cth_result *res, const struct cth_expect *exp)
{
	if (res->n_expect >= CTH_EXPECT_MAX)
		return -ENOSPC;
	res->expect[res->n_expect++] = *exp;
	return 0;
}

int cth_result_add_mangle(struct cth_result *res, size_t offset, size_t len,
			  const void *data, size_t data_len)
{
	struct cth_mangle *m;

	if (res->n_mangle >= CTH_MANGLE_MAX || data_len > CTH_MANGLE_DATA_MAX)
		return -ENOSPC;
	/* edits are applied front to back: keep them sorted and disjoint */
	if (res->n_mangle) {
		const struct cth_mangle *last = &res->mangle[res->n_mangle - 1];

		if (offset < last->offset + last->len)
			return -EINVAL;
	}
	m = &res->mangle[res->n_mangle++];
	m->offset = offset;
	m->len = len;
	memcpy(m->data, data, data_len);
	m->data_len = data_len;
	return 0;
}
