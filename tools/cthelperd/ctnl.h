/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctnetlink, for the expectations past the first of one packet: the kernel
 * reads a single NFQA_EXP per verdict.
 */
#ifndef CTHELPERD_CTNL_H
#define CTHELPERD_CTNL_H

#include <libmnl/libmnl.h>

#include "helper.h"

struct cthd_ctnl {
	struct mnl_socket *nl;
	uint32_t seq;
};

int cthd_ctnl_open(struct cthd_ctnl *c);
void cthd_ctnl_close(struct cthd_ctnl *c);
/* Create exp on master (after the verdict confirmed it); 0 or -errno. */
int cthd_ctnl_add_expect(struct cthd_ctnl *c, const struct cthd_expect *exp,
			 const struct cthd_conntrack *master);

#endif
