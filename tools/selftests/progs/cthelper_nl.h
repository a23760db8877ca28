/* SPDX-License-Identifier: GPL-2.0 */
/* Netlink plumbing shared by the selftest programs: nfnetlink requests with
 * their acknowledgement, and the NFNL_SUBSYS_CTHELPER helper messages of
 * Documentation/networking/nf_conntrack_userspace_helper.rst.
 */
#ifndef CTHELPER_NL_H
#define CTHELPER_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Only in our series, so not in the distribution's uapi headers. */
#define NFCTH_FLAGS		7
#define NFCTH_F_FAIL_CLOSED	(1U << 0)
#define NFCTH_F_ALL_SEGMENTS	(1U << 1)

#define CTH_MAX_CLASSES		4

struct cth_policy {
	char name[32];
	uint32_t expect_max;
	uint32_t expect_timeout;
};

/* A helper as sent or received; the fields below "set" say what is in the
 * message (requests of the bad-input test leave some out on purpose).
 */
struct cth_helper {
	char name[32];
	uint16_t l3num;
	uint8_t l4num;
	uint32_t queue;
	uint32_t set_num;		/* NFCTH_POLICY_SET_NUM */
	unsigned int sets;		/* bit i: NFCTH_POLICY_SET1 + i present */
	struct cth_policy policy[CTH_MAX_CLASSES];
	uint32_t priv_len;
	uint32_t status;
	uint32_t flags;
	unsigned int attrs;		/* CTH_A_* present */
};

enum {
	CTH_A_NAME	= 1 << 0,
	CTH_A_TUPLE	= 1 << 1,
	CTH_A_QUEUE	= 1 << 2,
	CTH_A_POLICY	= 1 << 3,
	CTH_A_PRIV	= 1 << 4,
	CTH_A_STATUS	= 1 << 5,
	CTH_A_FLAGS	= 1 << 6,
};

struct mnl_socket *nl_open(void);

/* nfnetlink header for SUBSYS/TYPE, NLM_F_REQUEST | NLM_F_ACK | flags. */
struct nlmsghdr *nfnl_msg(char *buf, uint8_t subsys, uint8_t type,
			  uint16_t flags, uint8_t family, uint16_t res_id);

/* Send and read until the ack; cb sees each reply. 0 or -errno. */
int nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh,
	    mnl_cb_t cb, void *data);

/* A helper with one "name" class (max 1, timeout 300), like nfct's ftp. */
void cth_default(struct cth_helper *h, const char *name, uint16_t l3num,
		 uint8_t l4num);
void cth_put(struct nlmsghdr *nlh, const struct cth_helper *h);
/* mnl_cb_t for GET replies: fills the struct cth_helper at data. */
int cth_parse_cb(const struct nlmsghdr *nlh, void *data);

/* The common requests; 0 or -errno. */
int cth_new(struct mnl_socket *nl, const struct cth_helper *h,
	    uint16_t flags);
int cth_get(struct mnl_socket *nl, const char *name, struct cth_helper *out);
int cth_del(struct mnl_socket *nl, const char *name);

#endif
