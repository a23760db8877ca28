/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building CTA_EXPECT_* attributes for an expectation, for NFQA_EXP in a
 * verdict and for ctnetlink IPCTNL_MSG_EXP_NEW. Written with libmnl on
 * purpose: libnetfilter_conntrack's nfexp_nlmsg_build() leaves out
 * CTA_EXPECT_NAT and CTA_EXPECT_FN, and NAT then breaks.
 */
#ifndef CTHELPERD_EXPECT_NL_H
#define CTHELPERD_EXPECT_NL_H

#include <libmnl/libmnl.h>

#include "helper.h"

/*
 * Put the attributes of exp into nlh (inside a nest the caller opened, or
 * at the top level of an EXP_NEW message). master is the master's original
 * tuple for ctnetlink (CTA_EXPECT_MASTER), NULL in a verdict. Returns 0,
 * or -EMSGSIZE when buf_size is too small.
 */
int cthd_expect_put(struct nlmsghdr *nlh, size_t buf_size, int family,
		    const struct cthd_expect *exp, const struct cthd_conntrack *master);

/* A conntrack tuple (CTA_TUPLE_IP + CTA_TUPLE_PROTO) as a nest of type. */
bool cthd_tuple_put(struct nlmsghdr *nlh, size_t size, uint16_t type, int family,
		    uint8_t l4proto, const union cthd_addr *src,
		    const union cthd_addr *dst, uint16_t sport, uint16_t dport);

/*
 * Build a complete ctnetlink IPCTNL_MSG_EXP_NEW request (with NLM_F_ACK)
 * for exp on master; NULL when buf is too small.
 */
struct nlmsghdr *cthd_expect_build_new(void *buf, size_t size, uint32_t seq,
				       const struct cthd_expect *exp,
				       const struct cthd_conntrack *master);

#endif
