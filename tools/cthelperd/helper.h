/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cthelperd protocol-helper interface.
 *
 * A protocol helper is one file under helpers/ that defines a
 * `struct cth_helper` and registers it with CTH_HELPER_REGISTER(). The core
 * finds it through the registry (a linker section); it never names a
 * protocol. A helper is a pure function of (packet, conntrack, private data):
 * it does no I/O, keeps no global state, and returns what the kernel should
 * do in a `struct cth_result`. See HELPERS.md.
 */
#ifndef CTHELPERD_HELPER_H
#define CTHELPERD_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTH_NAME_MAX		16	/* incl. NUL, as NFCTH_NAME */
#define CTH_PRIV_MAX		32	/* kernel cap on private data */
#define CTH_POLICY_MAX		4	/* kernel cap on expectation classes */
#define CTH_EXPECT_MAX		4	/* expectations one packet may create */
#define CTH_MANGLE_MAX		4	/* payload edits one packet may carry */
#define CTH_MANGLE_DATA_MAX	128	/* bytes of new text per edit */

enum cth_dir {
	CTH_DIR_ORIGINAL = 0,
	CTH_DIR_REPLY = 1,
};

static inline enum cth_dir cth_dir_other(enum cth_dir dir)
{
	return dir == CTH_DIR_ORIGINAL ? CTH_DIR_REPLY : CTH_DIR_ORIGINAL;
}

/* An IPv4 (first 4 bytes) or IPv6 address, network byte order. */
union cth_addr {
	uint8_t bytes[16];
	uint32_t ip;
	uint32_t ip6[4];
};

/* One direction of a conntrack; ports in host byte order. */
struct cth_tuple {
	union cth_addr src;
	union cth_addr dst;
	uint16_t sport;
	uint16_t dport;
};

/* The conntrack of the packet, from NFQA_CT. */
struct cth_conntrack {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint32_t id;			/* CTA_ID, for logs */
	uint32_t status;		/* IPS_* bits (CTA_STATUS) */
	struct cth_tuple tuple[2];	/* indexed by enum cth_dir */
};

/*
 * NAT as the conntrack tuples show it: the reply tuple is the original one
 * reversed unless an address or port was translated.
 */
struct cth_nat {
	bool src_nat;	/* original source seen as reply destination */
	bool dst_nat;	/* original destination seen as reply source */
};

struct cth_nat cth_conntrack_nat(const struct cth_conntrack *ct);

static inline bool cth_conntrack_is_natted(const struct cth_conntrack *ct)
{
	struct cth_nat nat = cth_conntrack_nat(ct);

	return nat.src_nat || nat.dst_nat;
}

/* The queued packet as a helper sees it. */
struct cth_packet {
	const uint8_t *data;		/* whole packet, from the L3 header */
	size_t len;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	size_t l4_offset;		/* L4 header offset in data */
	size_t payload_offset;		/* L4 payload offset in data */
	const uint8_t *payload;		/* data + payload_offset */
	size_t payload_len;
	enum cth_dir dir;		/* from NFQA_CT_INFO */
	uint32_t tcp_seq;		/* host order; TCP only */
};

/* Expectation class limits, registered with the kernel (NFCTH_POLICY). */
struct cth_policy {
	char name[CTH_NAME_MAX];
	uint32_t max_expected;
	uint32_t timeout;		/* seconds */
};

/*
 * An expectation for a related connection. tuple/mask use the expected
 * connection's original direction; a mask bit 0 is a wildcard. Only the
 * source address and port may be wildcarded (kernel rule).
 */
struct cth_expect {
	uint8_t class;			/* < helper's n_policies */
	uint8_t l4proto;
	struct cth_tuple tuple;
	struct cth_tuple mask;
	uint32_t flags;			/* NF_CT_EXPECT_* */
	/*
	 * NAT binding (CTA_EXPECT_NAT): when the related connection shows up,
	 * NAT it like the master. nat_dir is the master direction it follows,
	 * nat_addr/nat_port where it really goes (saved_addr/saved_proto).
	 */
	bool nat;
	enum cth_dir nat_dir;
	union cth_addr nat_addr;
	uint16_t nat_port;
	/* CTA_EXPECT_FN, e.g. "nat-follow-master"; empty for none. */
	char expectfn[32];
};

/* Replace payload bytes [offset, offset + len) with data[0..data_len). */
struct cth_mangle {
	size_t offset;			/* in the L4 payload */
	size_t len;
	uint8_t data[CTH_MANGLE_DATA_MAX];
	size_t data_len;
};

enum cth_verdict {
	CTH_ACCEPT = 0,
	CTH_DROP = 1,
};

/* What a helper returns for one packet; the core zeroes it first. */
struct cth_result {
	enum cth_verdict verdict;
	unsigned int n_expect;
	struct cth_expect expect[CTH_EXPECT_MAX];
	/* sorted by offset, not overlapping */
	unsigned int n_mangle;
	struct cth_mangle mangle[CTH_MANGLE_MAX];
	/* set when priv changed and must go back to the kernel */
	bool priv_changed;
	/* events worth counting that are not errors of the daemon */
	unsigned int parse_errors;
	unsigned int lost;		/* data the helper could not follow */
};

/*
 * The per-packet callback. priv points to priv_len bytes: the kernel's
 * CTA_HELP_INFO, zeroes for a new connection. Returns 0, or a negative errno
 * for an internal error (the core accepts the packet and counts it).
 */
typedef int (*cth_process_fn)(const struct cth_packet *pkt,
			      const struct cth_conntrack *ct,
			      void *priv, struct cth_result *res);

struct cth_helper {
	const char *name;		/* <= 15 chars */
	uint8_t l4proto;
	uint16_t default_port;
	unsigned int n_policies;	/* 1..CTH_POLICY_MAX */
	struct cth_policy policies[CTH_POLICY_MAX];
	size_t priv_len;		/* 0..CTH_PRIV_MAX */
	cth_process_fn process;
};

/* Helpers to fill a result; return -ENOSPC when the result is full. */
int cth_result_add_expect(struct cth_result *res, const struct cth_expect *exp);
int cth_result_add_mangle(struct cth_result *res, size_t offset, size_t len,
			  const void *data, size_t data_len);

/*
 * Registration: a pointer to the helper goes into the "cth_helpers" linker
 * section; the core walks it. Linking a helper object is all it takes.
 */
#define CTH_HELPER_REGISTER(helper)					\
	static const struct cth_helper *const cth_registry_entry_##helper \
	__attribute__((used, section("cth_helpers"), aligned(sizeof(void *)))) = &(helper)

/* Registry lookups (registry.c). */
const struct cth_helper *cth_helper_find(const char *name);
size_t cth_helper_count(void);
const struct cth_helper *cth_helper_at(size_t index);
/* 0 when valid, else a negative errno and *why says what is wrong. */
int cth_helper_validate(const struct cth_helper *h, const char **why);

#endif
