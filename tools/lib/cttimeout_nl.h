/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cttimeout_nl.h - build and parse nfnetlink_cttimeout (CTA_TIMEOUT_*)
 * messages: named timeout policies (xt CT --timeout, nft ct timeout) and
 * the per-protocol defaults. Requests go through cth_nl_request() from
 * cthelper_nl.h. Same conventions: 0 or -errno, builders NULL + errno.
 */
#ifndef CTTIMEOUT_NL_H
#define CTTIMEOUT_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_cttimeout.h>

#define CTT_NAME_SIZE		32	/* CTNL_TIMEOUT_NAME_MAX incl. NUL */
#define CTT_STATE_MAX		16	/* more than any protocol's CTA_TIMEOUT_*_MAX */
#define CTT_MSG_BUFSZ		512

enum ctt_timeout_field {
	CTT_F_NAME	= 1U << 0,
	CTT_F_L3NUM	= 1U << 1,
	CTT_F_L4NUM	= 1U << 2,
	CTT_F_USE	= 1U << 3,
	CTT_F_STATES	= 1U << 4,	/* at least one state timeout set */
};

struct ctt_timeout {
	uint32_t present;		/* CTT_F_* */
	char name[CTT_NAME_SIZE];
	uint16_t l3num;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t l4num;			/* IPPROTO_*, 255 = generic */
	uint32_t use;			/* reference count (replies only) */
	/*
	 * Timeouts in seconds indexed by the protocol's CTA_TIMEOUT_<PROTO>_*
	 * attribute number (1..); state_set has bit N set when state[N] is.
	 */
	uint32_t state_set;
	uint32_t state[CTT_STATE_MAX + 1];
};

/*
 * State names of a layer 4 protocol, as conntrack-tools spells them
 * ("ESTABLISHED", "UNREPLIED", ...). ctt_state_count() is the protocol's
 * highest attribute number, 0 for a protocol the kernel has no timeouts
 * for; ctt_state_name(l4, n) is NULL for an unknown n. ctt_state_lookup()
 * matches case-insensitively and returns the attribute number or -ENOENT.
 * ctt_state_compat_count() is how many of them conntrack-tools 1.4.7 knows
 * (it prints only those).
 */
unsigned int ctt_state_count(uint8_t l4num);
unsigned int ctt_state_compat_count(uint8_t l4num);
const char *ctt_state_name(uint8_t l4num, unsigned int attr);
int ctt_state_lookup(uint8_t l4num, const char *name);

int ctt_timeout_set_name(struct ctt_timeout *t, const char *name);
void ctt_timeout_set_proto(struct ctt_timeout *t, uint16_t l3num, uint8_t l4num);
/* -ENOENT for a state the protocol does not have. */
int ctt_timeout_set_state(struct ctt_timeout *t, unsigned int attr,
			  uint32_t seconds);

/*
 * Builders (NLM_F_REQUEST|NLM_F_ACK, seq 0):
 * new: IPCTNL_MSG_TIMEOUT_NEW + NLM_F_CREATE|@nlm_flags: NAME, L3PROTO,
 *      L4PROTO, DATA (the set states).
 * get: NAME -> IPCTNL_MSG_TIMEOUT_GET; @t NULL or no name -> dump.
 * del: NAME -> IPCTNL_MSG_TIMEOUT_DELETE; @t NULL or no name -> flush.
 * default_set: IPCTNL_MSG_TIMEOUT_DEFAULT_SET: L3PROTO, L4PROTO, DATA.
 * default_get: IPCTNL_MSG_TIMEOUT_DEFAULT_GET: L3PROTO, L4PROTO.
 */
struct nlmsghdr *ctt_timeout_build_new(void *buf, size_t buflen,
				       uint16_t nlm_flags,
				       const struct ctt_timeout *t);
struct nlmsghdr *ctt_timeout_build_get(void *buf, size_t buflen,
				       const struct ctt_timeout *t);
struct nlmsghdr *ctt_timeout_build_del(void *buf, size_t buflen,
				       const struct ctt_timeout *t);
struct nlmsghdr *ctt_timeout_build_default_set(void *buf, size_t buflen,
					       const struct ctt_timeout *t);
struct nlmsghdr *ctt_timeout_build_default_get(void *buf, size_t buflen,
					       const struct ctt_timeout *t);

/*
 * Parse a reply (IPCTNL_MSG_TIMEOUT_NEW for list/get,
 * IPCTNL_MSG_TIMEOUT_DEFAULT_SET or _GET for defaults) into @t (cleared).
 * 0, -EPROTO for another message type, -EINVAL for a malformed one.
 */
int ctt_timeout_parse(const struct nlmsghdr *nlh, struct ctt_timeout *t);

#endif /* CTTIMEOUT_NL_H */
