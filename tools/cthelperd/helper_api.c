// SPDX-License-Identifier: GPL-2.0-or-later
/* The small library helper.h offers to protocol helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "helper.h"
#include "natport.h"

struct cthd_nat cthd_conntrack_nat(const struct cthd_conntrack *ct)
{
	const struct cthd_tuple *orig = &ct->tuple[CTHD_DIR_ORIGINAL];
	const struct cthd_tuple *reply = &ct->tuple[CTHD_DIR_REPLY];
	struct cthd_nat nat = {
		.src_nat = memcmp(&orig->src, &reply->dst, sizeof(orig->src)) ||
			   orig->sport != reply->dport,
		.dst_nat = memcmp(&orig->dst, &reply->src, sizeof(orig->dst)) ||
			   orig->dport != reply->sport,
	};

	return nat;
}

void cthd_result_reset(struct cthd_result *res)
{
	memset(res, 0, offsetof(struct cthd_result, expect));
}

int cthd_result_add_expect(struct cthd_result *res, const struct cthd_expect *exp)
{
	if (res->n_expect >= CTHD_EXPECT_MAX)
		return -ENOSPC;
	res->expect[res->n_expect++] = *exp;
	return 0;
}

int cthd_expect_flush(struct cthd_result *res, uint32_t class_mask)
{
	unsigned int kept = 0;

	if (class_mask >> CTHD_POLICY_MAX)
		return -EINVAL;
	/* removed before the result's expectations are added: these never were */
	for (unsigned int i = 0; i < res->n_expect; i++)
		if (res->expect[i].class >= CTHD_POLICY_MAX ||
		    !(class_mask & (1u << res->expect[i].class)))
			res->expect[kept++] = res->expect[i];
	res->n_expect = kept;
	res->expect_flush |= class_mask;
	return 0;
}

int cthd_result_add_mangle(struct cthd_result *res, size_t offset, size_t len,
			  const void *data, size_t data_len)
{
	struct cthd_mangle *m;

	if (res->n_mangle >= CTHD_MANGLE_MAX || data_len > CTHD_MANGLE_DATA_MAX)
		return -ENOSPC;
	/* edits are applied front to back: keep them sorted and disjoint */
	if (res->n_mangle) {
		const struct cthd_mangle *last = &res->mangle[res->n_mangle - 1];

		if (offset < last->offset + last->len)
			return -EINVAL;
	}
	m = &res->mangle[res->n_mangle++];
	m->offset = offset;
	m->len = len;
	if (data_len)	/* a deletion passes no data */
		memcpy(m->data, data, data_len);
	m->data_len = data_len;
	return 0;
}

uint16_t cthd_result_nat_port(struct cthd_result *res, const struct cthd_conntrack *master,
			      struct cthd_expect *exp)
{
	uint16_t port = 0;

	/*
	 * No room for the expectation: none reserved, for in a packet that
	 * goes out a reservation stays, and it may evict the master's
	 * earlier one.
	 * Without the core's reservations (a helper's own unit tests): as
	 * announced.
	 */
	if (res->n_expect < CTHD_EXPECT_MAX)
		port = res->natports ? cthd_natports_pick(res->natports, master, exp) :
				       exp->nat_port;

	exp->tuple.dport = port;
	return port;
}

void cthd_expect_to_sender(struct cthd_expect *exp, const struct cthd_conntrack *ct,
			   enum cthd_dir dir, uint8_t l4proto, uint16_t peer_port,
			   uint16_t real_port, bool any_source)
{
	const struct cthd_tuple *peer = &ct->tuple[cthd_dir_other(dir)];
	size_t alen = ct->family == AF_INET ? 4 : 16;

	memset(exp, 0, sizeof(*exp));
	exp->l4proto = l4proto;
	if (!any_source) {
		exp->tuple.src = peer->src;
		memset(&exp->mask.src, 0xff, alen);
	}
	exp->tuple.dst = peer->dst;
	memset(&exp->mask.dst, 0xff, alen);
	exp->tuple.dport = peer_port;
	exp->mask.dport = 0xffff;
	if (cthd_conntrack_is_natted(ct)) {
		exp->nat = true;
		exp->nat_dir = cthd_dir_other(dir);
		exp->nat_addr = ct->tuple[dir].src;
		exp->nat_port = real_port;
		snprintf(exp->expectfn, sizeof(exp->expectfn), "nat-follow-master");
	}
}

int64_t cthd_parse_decimal(const char *s, size_t len, size_t *pos, unsigned int maxdigits,
			   uint64_t maxval)
{
	size_t start = *pos;
	uint64_t val = 0;

	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
		if (*pos - start >= maxdigits || *pos - start >= 19)
			return -1;
		val = val * 10 + (uint64_t)(s[*pos] - '0');
		(*pos)++;
	}
	/* at most 19 digits: val cannot wrap */
	if (*pos == start || val > maxval || val > INT64_MAX)
		return -1;
	return (int64_t)val;
}

int cthd_parse_addr(int family, const char *s, size_t len, union cthd_addr *addr)
{
	char text[INET6_ADDRSTRLEN];

	memset(addr, 0, sizeof(*addr));
	if (!len || len >= sizeof(text) || memchr(s, '\0', len))
		return -EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	return inet_pton(family, text, addr) == 1 ? 0 : -EINVAL;
}
