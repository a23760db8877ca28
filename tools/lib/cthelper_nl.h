/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cthelper_nl.h - build and parse nfnetlink_cthelper (NFCTH_*) messages, and
 * a small libmnl socket wrapper that sends one request and collects its
 * replies and errno.
 *
 * Shared by nfct(8) and cthelperd: neither the CLI nor the daemon speaks
 * NFCTH_* directly. The ABI is described in
 * Documentation/networking/nf_conntrack_userspace_helper.rst.
 *
 * Conventions (as in libmnl): functions returning int return 0 or a
 * negative errno; builders return the message or NULL with errno set.
 * No function keeps global state; everything lives in the caller's structs.
 *
 * Typical use (register a helper and enable it):
 *
 *	char buf[CTH_MSG_BUFSZ];
 *	struct cth_helper h = { 0 };
 *	struct cth_nl *nl = cth_nl_open();
 *
 *	cth_helper_set_name(&h, "ftp");
 *	cth_helper_set_tuple(&h, NFPROTO_IPV4, IPPROTO_TCP);
 *	cth_helper_add_policy(&h, "ftp", 1, 300);
 *	cth_helper_set_priv_data_len(&h, 24);
 *	cth_helper_set_status(&h, CTH_STATUS_ENABLED);
 *	nlh = cth_helper_build_new(buf, sizeof(buf), NLM_F_CREATE, &h);
 *	err = cth_nl_request(nl, nlh, NULL, NULL);   // 0 or -errno
 */
#ifndef CTHELPER_NL_H
#define CTHELPER_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_cthelper.h>

/*
 * Extension of this kernel series (not in Debian's linux-libc-dev):
 * NFCTH_FLAGS (be32), sent only when not 0.
 */
#ifndef NFCTH_FLAGS
#define NFCTH_FLAGS 7
#endif
#ifndef NFCTH_F_FAIL_CLOSED
#define NFCTH_F_FAIL_CLOSED (1U << 0)
#endif
/* Highest top-level attribute this library knows (NFCTH_MAX is 6 in old headers). */
#define CTH_ATTR_MAX NFCTH_FLAGS

/* Limits of the kernel ABI; the library checks them before sending. */
#define CTH_NAME_SIZE		16	/* NFCTH_NAME incl. NUL */
#define CTH_POLICY_NAME_SIZE	16	/* NFCTH_POLICY_NAME incl. NUL */
#define CTH_POLICY_MAX		4	/* NFCTH_POLICY_SET1..SET4 */
#define CTH_EXPECT_MAX_LIMIT	255
#define CTH_PRIV_DATA_MAX	32
#define CTH_QUEUE_NUM_MAX	65535
#define CTH_FLAGS_KNOWN		NFCTH_F_FAIL_CLOSED

#define CTH_STATUS_DISABLED	NFCT_HELPER_STATUS_DISABLED
#define CTH_STATUS_ENABLED	NFCT_HELPER_STATUS_ENABLED

/* Enough for any helper message this library builds (largest is ~270 bytes). */
#define CTH_MSG_BUFSZ		512

/* Which fields of struct cth_helper are set (bits of cth_helper.present). */
enum cth_helper_field {
	CTH_F_NAME		= 1U << 0,
	CTH_F_TUPLE		= 1U << 1,	/* l3num and l4num */
	CTH_F_QUEUE_NUM		= 1U << 2,
	CTH_F_POLICY		= 1U << 3,	/* policy_count and policy[] */
	CTH_F_PRIV_DATA_LEN	= 1U << 4,
	CTH_F_STATUS		= 1U << 5,
	CTH_F_FLAGS		= 1U << 6,
};

/* One expectation class. */
struct cth_policy {
	char name[CTH_POLICY_NAME_SIZE];
	uint32_t max_expected;		/* 0..255, 0: no limit per connection */
	uint32_t timeout;		/* seconds */
};

/* A user-space helper as the kernel sees it. Zero-initialise, then set. */
struct cth_helper {
	uint32_t present;		/* CTH_F_* bits */
	char name[CTH_NAME_SIZE];
	uint16_t l3num;			/* NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10) */
	uint8_t l4num;			/* IPPROTO_*, not 0 */
	uint32_t queue_num;		/* 0..65535 */
	uint32_t status;		/* CTH_STATUS_* */
	uint32_t flags;			/* NFCTH_F_* */
	uint32_t priv_data_len;		/* 0..32 bytes */
	uint32_t policy_count;		/* 1..4 */
	struct cth_policy policy[CTH_POLICY_MAX];
};

/* Setters: fill the field and its presence bit. -EINVAL/-ERANGE/-ENOSPC. */
int cth_helper_set_name(struct cth_helper *h, const char *name);
void cth_helper_set_tuple(struct cth_helper *h, uint16_t l3num, uint8_t l4num);
void cth_helper_set_queue(struct cth_helper *h, uint32_t queue_num);
void cth_helper_set_status(struct cth_helper *h, uint32_t status);
void cth_helper_set_flags(struct cth_helper *h, uint32_t flags);
void cth_helper_set_priv_data_len(struct cth_helper *h, uint32_t len);
/* Appends one class; -ENOSPC after CTH_POLICY_MAX, -ERANGE for a long name. */
int cth_helper_add_policy(struct cth_helper *h, const char *name,
			  uint32_t max_expected, uint32_t timeout);

/*
 * What a request is for, so cth_helper_check() knows which fields it needs:
 * CREATE needs name, tuple, policy and private data length; UPDATE needs
 * name and tuple; LOOKUP (get/delete) needs at most a name (tuple optional).
 */
enum cth_check_mode {
	CTH_CHECK_CREATE,
	CTH_CHECK_UPDATE,
	CTH_CHECK_LOOKUP,
};

/*
 * Validate @h against the kernel ABI limits before anything is sent.
 * Returns 0, or -EINVAL (missing/malformed field) / -ERANGE (value out of
 * range) with a one-line reason naming the field written to @why.
 */
int cth_helper_check(const struct cth_helper *h, enum cth_check_mode mode,
		     char *why, size_t whylen);

/*
 * Message builders. Each writes one complete request into @buf (at least
 * CTH_MSG_BUFSZ bytes, else NULL/ENOSPC) with sequence number and port id
 * 0 (cth_nl_request() sets them) and returns it.
 *
 * build_new: NFNL_MSG_CTHELPER_NEW with NLM_F_REQUEST|NLM_F_ACK|@nlm_flags
 *   (NLM_F_CREATE to create, NLM_F_EXCL to refuse an existing helper; no
 *   NLM_F_CREATE to update only). Puts every present field in the order
 *   libnetfilter_cthelper does (NAME, QUEUE_NUM, PRIV_DATA_LEN, TUPLE,
 *   POLICY, STATUS), then FLAGS when present and either not 0 or the
 *   request is an update (no NLM_F_CREATE: sending 0 clears the flags).
 * build_get: NFNL_MSG_CTHELPER_GET; @filter NULL or without a name -> dump
 *   (NLM_F_DUMP), else NAME and, if present, TUPLE with NLM_F_ACK.
 * build_del: NFNL_MSG_CTHELPER_DEL with NLM_F_ACK; @filter NULL or without
 *   a name deletes every unused user-space helper (flush).
 */
struct nlmsghdr *cth_helper_build_new(void *buf, size_t buflen,
				      uint16_t nlm_flags,
				      const struct cth_helper *h);
struct nlmsghdr *cth_helper_build_get(void *buf, size_t buflen,
				      const struct cth_helper *filter);
struct nlmsghdr *cth_helper_build_del(void *buf, size_t buflen,
				      const struct cth_helper *filter);

/*
 * Parse one NFNL_MSG_CTHELPER_NEW message (GET replies use that type) into
 * @h, which is cleared first. Unknown attributes are ignored so newer
 * kernels do not break older tools. Returns 0, -EPROTO for a message of
 * another type, -EINVAL for a malformed attribute.
 */
int cth_helper_parse(const struct nlmsghdr *nlh, struct cth_helper *h);

/* Field-by-field equality of the present fields; 1 if equal. */
int cth_helper_equal(const struct cth_helper *a, const struct cth_helper *b);

/* --- socket layer -------------------------------------------------------- */

struct cth_nl;	/* opaque: mnl socket, port id, sequence, receive buffer */

/* Open and bind a NETLINK_NETFILTER socket. NULL and errno on failure. */
struct cth_nl *cth_nl_open(void);
void cth_nl_close(struct cth_nl *nl);

/*
 * Called for every data message of the reply (not for NLMSG_DONE or the
 * ack); return MNL_CB_OK to go on, MNL_CB_STOP to stop, MNL_CB_ERROR (with
 * errno set) to fail the request.
 */
typedef int (*cth_msg_cb_t)(const struct nlmsghdr *nlh, void *data);

/*
 * Send @nlh (its seq and port id are set here) and read replies until the
 * ack, NLMSG_DONE or an error. Returns 0, or the kernel's -errno (e.g.
 * -EBUSY), or -errno of a local failure.
 */
int cth_nl_request(struct cth_nl *nl, struct nlmsghdr *nlh,
		   cth_msg_cb_t cb, void *data);

/*
 * The kernel's extended ack message for the last failed request
 * (NLMSGERR_ATTR_MSG), or NULL when it sent none.
 */
const char *cth_nl_ext_ack(const struct cth_nl *nl);

#endif /* CTHELPER_NL_H */
