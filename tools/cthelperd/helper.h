/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cthelperd protocol-helper interface.
 *
 * A protocol helper is one file under helpers/ that defines a
 * `struct cthd_helper` and registers it with CTHD_HELPER_REGISTER(). The core
 * finds it through the registry (a linker section); it never names a
 * protocol. A helper is a pure function of (packet, conntrack, private data):
 * it does no I/O, keeps no global state, and returns what the kernel should
 * do in a `struct cthd_result`. See HELPERS.md.
 */
#ifndef CTHELPERD_HELPER_H
#define CTHELPERD_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTHD_NAME_MAX		16	/* incl. NUL, as NFCTH_NAME */
#define CTHD_PRIV_MAX		32	/* kernel cap on private data */
#define CTHD_POLICY_MAX		4	/* kernel cap on expectation classes */
#define CTHD_EXPECT_MAX		8	/* expectations one packet may create (SIP: RTP+RTCP of 4 media) */
#define CTHD_MANGLE_MAX		32	/* payload edits one packet may carry (SIP NAT: headers, SDP) */
#define CTHD_MANGLE_DATA_MAX	128	/* bytes of new text per edit */
#define CTHD_OPTION_MAX		4	/* a helper's settings (cthelperd.conf Option) */
#define CTHD_OPTION_NAME_MAX	32	/* incl. NUL */

enum cthd_dir {
	CTHD_DIR_ORIGINAL = 0,
	CTHD_DIR_REPLY = 1,
};

static inline enum cthd_dir cthd_dir_other(enum cthd_dir dir)
{
	return dir == CTHD_DIR_ORIGINAL ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
}

/* An IPv4 (first 4 bytes) or IPv6 address, network byte order. */
union cthd_addr {
	uint8_t bytes[16];
	uint32_t ip;
	uint32_t ip6[4];
};

/* One direction of a conntrack; ports in host byte order. */
struct cthd_tuple {
	union cthd_addr src;
	union cthd_addr dst;
	uint16_t sport;
	uint16_t dport;
};

/* The conntrack of the packet, from NFQA_CT. */
struct cthd_conntrack {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint32_t id;			/* CTA_ID, for logs */
	uint32_t status;		/* IPS_* bits (CTA_STATUS) */
	struct cthd_tuple tuple[2];	/* indexed by enum cthd_dir */
};

/*
 * NAT as the conntrack tuples show it: the reply tuple is the original one
 * reversed unless an address or port was translated.
 */
struct cthd_nat {
	bool src_nat;	/* original source seen as reply destination */
	bool dst_nat;	/* original destination seen as reply source */
};

struct cthd_nat cthd_conntrack_nat(const struct cthd_conntrack *ct);

static inline bool cthd_conntrack_is_natted(const struct cthd_conntrack *ct)
{
	struct cthd_nat nat = cthd_conntrack_nat(ct);

	return nat.src_nat || nat.dst_nat;
}

struct cthd_ifaddrs;

/* The queued packet as a helper sees it. */
struct cthd_packet {
	const uint8_t *data;		/* whole packet, from the L3 header */
	size_t len;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t l4proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	size_t l4_offset;		/* L4 header offset in data */
	size_t payload_offset;		/* L4 payload offset in data */
	const uint8_t *payload;		/* data + payload_offset */
	size_t payload_len;
	enum cthd_dir dir;		/* from NFQA_CT_INFO */
	/*
	 * ctinfo is IP_CT_ESTABLISHED(_REPLY): the connection has seen
	 * traffic both ways. False for a SYN carrying data, a loose pickup's
	 * first packets, or a packet of a related connection.
	 */
	bool established;
	uint32_t tcp_seq;		/* host order; TCP only */
	/*
	 * The helper's option values (cthelperd.conf's Option, else their
	 * defaults), indexed as its options[]; NULL: the defaults. Read them
	 * with cthd_option().
	 */
	const uint32_t *options;
	/* the device it leaves by (NFQA_IFINDEX_OUTDEV); 0 for one coming in */
	uint32_t outdev;
	/* the firewall's addresses, for cthd_expect_query_replies() */
	const struct cthd_ifaddrs *ifaddrs;
};

/* Expectation class limits, registered with the kernel (NFCTH_POLICY). */
struct cthd_policy {
	char name[CTHD_NAME_MAX];
	uint32_t max_expected;
	uint32_t timeout;		/* seconds */
};

/*
 * An expectation for a related connection. tuple/mask use the expected
 * connection's original direction; a mask bit 0 is a wildcard. Only the
 * source address and port may be wildcarded (kernel rule).
 */
struct cthd_expect {
	uint8_t class;			/* < helper's n_policies */
	uint8_t l4proto;
	struct cthd_tuple tuple;
	struct cthd_tuple mask;
	uint32_t flags;			/* NF_CT_EXPECT_* */
	/*
	 * NAT binding (CTA_EXPECT_NAT): when the related connection shows up,
	 * NAT it like the master. nat_dir is the master direction it follows,
	 * nat_addr/nat_port where it really goes (saved_addr/saved_proto).
	 */
	bool nat;
	enum cthd_dir nat_dir;
	union cthd_addr nat_addr;
	uint16_t nat_port;
	/* CTA_EXPECT_FN, e.g. "nat-follow-master"; empty for none. */
	char expectfn[32];
	/*
	 * CTA_EXPECT_HELP_NAME: the helper the related connection gets (its
	 * own helper for a call coming in to a registered phone, SIP); empty
	 * for none. The kernel refuses an expectation naming a helper it does
	 * not have for the expected connection's family and protocol.
	 */
	char helper[CTHD_NAME_MAX];
};

/* Replace payload bytes [offset, offset + len) with data[0..data_len). */
struct cthd_mangle {
	size_t offset;			/* in the L4 payload */
	size_t len;
	uint8_t data[CTHD_MANGLE_DATA_MAX];
	size_t data_len;
};

enum cthd_verdict {
	CTHD_ACCEPT = 0,
	CTHD_DROP = 1,
};

/* What a helper returns for one packet; the core resets it first. */
struct cthd_result {
	enum cthd_verdict verdict;
	/* set when priv changed and must go back to the kernel */
	bool priv_changed;
	/* events worth counting that are not errors of the daemon */
	unsigned int parse_errors;
	unsigned int lost;		/* data the helper could not follow */
	/* the core's NAT port reservations, for cthd_result_nat_port() */
	struct cthd_natports *natports;
	/*
	 * Classes (bit n: class n) whose expectations of this packet's
	 * conntrack the kernel removes, before it adds those below; set with
	 * cthd_expect_flush().
	 */
	uint32_t expect_flush;
	unsigned int n_expect;
	unsigned int n_mangle;
	/*
	 * Last, and not zeroed for each packet (some 6 KiB): only the first
	 * n_expect and n_mangle entries count, each written whole by
	 * cthd_result_add_expect() and cthd_result_add_mangle().
	 */
	struct cthd_expect expect[CTHD_EXPECT_MAX];
	/* sorted by offset, not overlapping */
	struct cthd_mangle mangle[CTHD_MANGLE_MAX];
};

/*
 * The per-packet callback. priv points to priv_len bytes: the kernel's
 * CTA_HELP_INFO, zeroes for a new connection (so a connection's state must
 * never go back to all zeroes). Returns 0, or a negative errno
 * for an internal error (the core accepts the packet and counts it).
 * With res->verdict CTHD_DROP the core sends no expectation, removal or
 * edit and takes back the packet's NAT ports, but priv goes back as the
 * helper left it: put back what the packet should not have changed (what
 * its messages remembered), keep what the resent copy needs.
 */
/*
 * A setting of a helper an administrator may change per served helper
 * (cthelperd.conf: Option NAME VALUE), such as the kernel modules'
 * parameters (nf_conntrack_sip's sip_direct_media).
 */
struct cthd_option {
	const char *name;		/* <= 31 chars */
	uint32_t def;
	uint32_t max;			/* values 0..max */
	/*
	 * NULL, or why a value other than def needs what the kernel refuses
	 * to a verdict from an unprivileged sender (the series' restricted
	 * verdicts: expectations only to the connection's own addresses...):
	 * cthelperd then starts only when it keeps CAP_NET_ADMIN.
	 */
	const char *privileged;
};

typedef int (*cthd_process_fn)(const struct cthd_packet *pkt,
			      const struct cthd_conntrack *ct,
			      void *priv, struct cthd_result *res);

struct cthd_helper {
	const char *name;		/* <= 15 chars */
	uint8_t l4proto;
	/*
	 * 0, or the other of TCP and UDP: the helper is registered for that
	 * protocol too, under the same name and queue. The kernel gives an
	 * expectation's connection the helper of that connection's protocol,
	 * so a UDP helper whose expectations hand TCP connections to itself
	 * (ssdp: an answer's LOCATION) needs both.
	 */
	uint8_t also_l4proto;
	uint16_t default_port;
	unsigned int n_policies;	/* 1..CTHD_POLICY_MAX */
	struct cthd_policy policies[CTHD_POLICY_MAX];
	size_t priv_len;		/* 0..CTHD_PRIV_MAX */
	/* it calls cthd_expect_query_replies(): the daemon keeps ifaddrs */
	bool uses_ifaddrs;
	cthd_process_fn process;
	unsigned int n_options;		/* 0..CTHD_OPTION_MAX */
	struct cthd_option options[CTHD_OPTION_MAX];
};

/* Option i of h for this packet: the configured value, else its default. */
static inline uint32_t cthd_option(const struct cthd_helper *h, const struct cthd_packet *pkt,
				   unsigned int i)
{
	return pkt->options ? pkt->options[i] : h->options[i].def;
}

/* The index of h's option called name, or -ENOENT. */
int cthd_helper_option_index(const struct cthd_helper *h, const char *name);

struct cthd_natports;

/* Helpers to fill a result; return -ENOSPC when the result is full. */
/* Ready for a packet: accept, no entry, nothing counted. */
void cthd_result_reset(struct cthd_result *res);
int cthd_result_add_expect(struct cthd_result *res, const struct cthd_expect *exp);
int cthd_result_add_mangle(struct cthd_result *res, size_t offset, size_t len,
			  const void *data, size_t data_len);

/*
 * Remove the expectations of the classes in class_mask (bit n: class n)
 * that the packet's conntrack has, as the kernel's helpers do when a call
 * ends (nf_conntrack_sip's flush_expectations()). Only the packet's own
 * conntrack's expectations: a packet cannot remove another connection's.
 * The kernel removes them before it adds the result's expectations, so
 * those of these classes already in res (an earlier message of the same
 * segment) are taken out of res too: the outcome is that of the messages
 * in their order. Needs a kernel with NFQA_EXP_FLUSH; on one without, the
 * daemon logs it at start and counts each removal it could not ask for
 * (flushes_lost). Returns 0, or -EINVAL for a bit of no class.
 */
int cthd_expect_flush(struct cthd_result *res, uint32_t class_mask);

/*
 * An expectation for a connection to the sender of a `dir` packet, at the
 * address and port its peer reaches it on: destination
 * ct->tuple[!dir].dst : peer_port, from the peer (ct->tuple[!dir].src),
 * or from any address when any_source (IRC: the DCC peer is another user),
 * any source port, class 0. When the master is NATed, bound to follow its
 * NAT (nf_nat_follow_master): the connection goes on to the sender's own
 * address (ct->tuple[dir].src) and real_port. A helper that announced the
 * port in the payload then calls cthd_result_nat_port().
 */
void cthd_expect_to_sender(struct cthd_expect *exp, const struct cthd_conntrack *ct,
			   enum cthd_dir dir, uint8_t l4proto, uint16_t peer_port,
			   uint16_t real_port, bool any_source);

/*
 * The answers to a query sent to a broadcast or multicast address
 * (netbios-ns, mdns, slp, dhcpv6, ssdp): they come back from hosts that
 * are not the query's destination, so conntrack cannot see them as its
 * replies. As the kernel's nf_conntrack_broadcast, one expectation, and
 * never more than: UDP from the subnet of the outgoing interface
 * (pkt->outdev) to the query's source address and port, from source port
 * reply_sport (0: any), NF_CT_EXPECT_PERMANENT (every host may answer
 * until the class's timeout), class 0. The subnet is:
 *   CTHD_QUERY_BROADCAST: IPv4 only, the query goes to the broadcast
 *     address of one of outdev's primary addresses: that address's subnet
 *     (the kernel's rule);
 *   CTHD_QUERY_MULTICAST: the query goes to a multicast group: the subnet
 *     of the query's source address.
 * Nothing is expected (0 returned, *why says why when why is given) for
 * a packet of the reply direction, one coming in (no outdev), a query not
 * sent from an address of outdev (the firewall does not own it: never a
 * hole towards someone else's address), a NATed query, a unicast
 * destination (its answers are conntrack's replies), a prefix of length 0.
 * Returns 1 with the expectation added, -ENOSPC when res is full.
 */
#define CTHD_QUERY_BROADCAST	(1u << 0)
#define CTHD_QUERY_MULTICAST	(1u << 1)

int cthd_expect_query_replies(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			      unsigned int kinds, uint16_t reply_sport, struct cthd_result *res,
			      const char **why);

/*
 * The body of a query helper's process(): parsed is the helper's verdict
 * on the payload (1 a query its protocol answers, 0 another message, < 0
 * malformed: counted as a parse error); for a query,
 * cthd_expect_query_replies(), a full result counted as lost.
 */
void cthd_query_result(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
		       int parsed, unsigned int kinds, uint16_t reply_sport,
		       struct cthd_result *res);

/* True for an IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast address. */
bool cthd_addr_is_multicast(int family, const union cthd_addr *a);

/*
 * A decimal number of at most maxdigits digits and at most maxval at
 * s[*pos]; *pos moves past the digits. -1 when there is none, or it is too
 * long or too large (no wrapping: "4294967297" is not 1).
 */
int64_t cthd_parse_decimal(const char *s, size_t len, size_t *pos, unsigned int maxdigits,
			   uint64_t maxval);

/*
 * An IPv4 (family AF_INET) or IPv6 literal that is all of s[0..len), into
 * *addr (zeroed first). inet_pton() alone would stop at a NUL ("10.0.0.1\0
 * junk" is not 10.0.0.1) and needs a terminated copy. -EINVAL otherwise.
 */
int cthd_parse_addr(int family, const char *s, size_t len, union cthd_addr *addr);

/*
 * The TCP stream layer for line protocols (stream.c): FTP, IRC... It
 * decides where lines start, from sequence numbers it keeps in the
 * connection's private data, and hands the helper whole lines. A
 * segment is read from its first byte only when that byte is a remembered
 * line start; otherwise only from after its first '\n'. So text a peer
 * gets echoed in the middle of a line never reads as a line of its own,
 * whatever the segmentation, retransmissions or reordering. See HELPERS.md.
 *
 * Put a struct cthd_stream first in the helper's private data (it keeps
 * the data from ever being all zeroes once a packet was seen).
 */
struct cthd_stream {
	uint32_t next_seq[2];	/* per direction: where reading goes on (see flags) */
	uint32_t mark_seq[2];	/* where the last parse that acted (or dropped) started */
	uint32_t flags;		/* per direction: which of the above are valid */
	/*
	 * CTHD_STREAM_VERSION once anything was seen. Private data a daemon of
	 * another layout wrote (an upgrade keeps the kernel's copies) is read
	 * as nothing seen: its positions need not be line starts.
	 */
	uint32_t version;
};

/* No byte below 0xcd: FTP's layout before the stream layer cannot hold it. */
#define CTHD_STREAM_VERSION	0xf7e5dbcfu

/* Longest line the stream layer holds a segment back for (see below). */
#define CTHD_STREAM_WHOLE_MAX	256

struct cthd_line_ops {
	/*
	 * A whole line, without its "\n" and a '\r' before it, at payload
	 * offset `offset` (for edits). Returns 0 or a negative errno.
	 */
	int (*line)(void *ctx, const char *text, size_t len, size_t offset);
	/*
	 * The beginning of a line that the segment's end cut: true when the
	 * helper would act on this line once it is whole and the segment may
	 * be held back for it. When that beginning is all the segment holds,
	 * the segment is dropped, so the sender resends it together with the
	 * rest of the line (as the kernel's FTP helper does); otherwise the
	 * line is counted lost. A helper that would act on the line but cannot
	 * wait for it (a rewrite changing the length could misplace segments
	 * that pass before the resent copy) counts it lost and returns false.
	 */
	bool (*wants_whole)(void *ctx, const char *text, size_t len);
};

/*
 * Run a TCP segment through the stream layer: ops->line() for each whole
 * line it may read, res->verdict CTHD_DROP for a cut line worth waiting
 * for. Updates st and sets res->priv_changed when it changed; nothing is
 * read from packets that are not established. Returns 0 or the first
 * negative errno of ops->line().
 */
int cthd_stream_lines(const struct cthd_packet *pkt, struct cthd_stream *st,
		      struct cthd_result *res, const struct cthd_line_ops *ops, void *ctx);

/*
 * The TCP stream layer for framed message protocols (stream.c): SIP over
 * TCP (framed by Content-Length), ONC RPC (record marking), TNS (a length
 * in each packet's header), SANE (no length: one message per segment). The
 * helper says how long the message at a position is; this layer keeps, in
 * the same struct cthd_stream, where the next message of each direction
 * starts (it may lie segments ahead: the rest of a long message is
 * skipped), so only message starts are read, never bytes inside a body or
 * a binary field, whatever the segmentation:
 * - a direction's first payload byte starts a message (the stream's start:
 *   the kernel queues no segment without payload, so the SYN's sequence
 *   number is never seen; a first segment reordered behind a later one, or
 *   a connection picked up mid-stream, is misread);
 * - a segment past bytes not seen yet is not read (counted lost); the next
 *   start stays known for the bytes before it;
 * - a retransmission of a segment whose messages acted (an expectation, an
 *   edit, a drop) is read again from the same place, so it is rewritten
 *   the same; copies of other old bytes are not read;
 * - a message cut by the segment's end is not read (counted lost), unless
 *   it starts the segment and ops->wants_whole() asks for it: then the
 *   segment is dropped, so that the sender resends it with the rest;
 * - bytes that are no message (frame() < 0, a parse error) or a cut header
 *   (frame() 0) lose the direction for good: nothing in it is read again
 *   but copies of the segment that acted.
 * Never mix with cthd_stream_lines() on one connection.
 */

/* Longest segment the message layer drops, waiting for the rest of a message. */
#define CTHD_MSG_WHOLE_MAX	1024

struct cthd_msg_ops {
	/*
	 * The length of the message (or of keep-alive bytes between
	 * messages) at data[0..avail), header included: > 0 when known (it
	 * may be more than avail), 0 when avail is too short to tell (a cut
	 * header), < 0 when the bytes are no message of this protocol. A
	 * protocol without lengths (SANE) returns avail: the message ends
	 * with the segment.
	 */
	long (*frame)(void *ctx, const uint8_t *data, size_t avail);
	/* A whole message at payload offset `offset`. 0 or a negative errno. */
	int (*message)(void *ctx, const uint8_t *data, size_t len, size_t offset);
	/*
	 * A message the segment's end cuts, all the segment holds from its
	 * first byte (need: its whole length, 0 when its header is cut too):
	 * true when the helper would act on it and the segment may be
	 * dropped, so that the sender resends it with the rest (segments and
	 * messages up to CTHD_MSG_WHOLE_MAX bytes only). NULL: never.
	 */
	bool (*wants_whole)(void *ctx, const uint8_t *data, size_t avail, size_t need);
};

/*
 * Run a TCP segment through the message layer: ops->message() for each
 * whole message at a known message start, res->verdict CTHD_DROP for a cut
 * message worth waiting for. Updates st and sets res->priv_changed when it
 * changed; nothing is read from packets that are not established. Returns
 * 0 or the first negative errno of ops->message().
 */
int cthd_stream_messages(const struct cthd_packet *pkt, struct cthd_stream *st,
			 struct cthd_result *res, const struct cthd_msg_ops *ops, void *ctx);

/*
 * The port to tell the peer for an expectation the master's NAT applies to
 * (exp->nat set, exp->nat_port the announced port, exp->tuple filled):
 * never one that another expectation of the same tuple holds, for the
 * kernel refuses the second (EBUSY) while the rewritten line would still
 * send the peer there, into the first one's connection (two clients behind
 * one SNAT announcing the same port to one server). Like the kernel's
 * nf_nat_exp_find_port(): the announced port if free, else the next free
 * one; the same master announcing the same port again (a retransmission)
 * gets the same answer. Sets exp->tuple.dport and returns it; 0 when no
 * port is free, or res has no room for the expectation (then add no
 * expectation, and rewrite nothing). The reservation (and the eviction of
 * the master's earlier one it may make, see the class's max_expected) is
 * taken back only if the packet goes out without its rewrites (CTHD_DROP,
 * or an error): check that the rewrite can be made before asking.
 */
uint16_t cthd_result_nat_port(struct cthd_result *res, const struct cthd_conntrack *master,
			      struct cthd_expect *exp);

/*
 * Registration: a pointer to the helper goes into the "cthd_helpers" linker
 * section; the core walks it. Linking a helper object is all it takes.
 */
#define CTHD_HELPER_REGISTER(helper)					\
	static const struct cthd_helper *const cthd_registry_entry_##helper \
	__attribute__((used, section("cthd_helpers"), aligned(sizeof(void *)))) = &(helper)

/* Registry lookups (registry.c). */
const struct cthd_helper *cthd_helper_find(const char *name);
size_t cthd_helper_count(void);
const struct cthd_helper *cthd_helper_at(size_t index);
/* 0 when valid, else a negative errno and *why says what is wrong. */
int cthd_helper_validate(const struct cthd_helper *h, const char **why);

/*
 * Plugins: a helper built outside cthelperd's tree, against the installed
 * copy of this header (pkg-config cthelperd), as a shared object in the
 * plugin directory (cthelperd.conf PluginDir, --plugin-dir). Instead of
 * CTHD_HELPER_REGISTER it defines its record with
 *
 *	CTHD_PLUGIN(myproto_helper, NULL);		(or an init function)
 *
 * and calls only the functions declared here; see HELPERS.md.
 *
 * CTHD_HELPER_ABI names this header's layout and functions: any change to
 * it other than in comments must increment it (tests/helper_abi.sh fails
 * until it is, and helper.abi records it); cthelperd refuses a plugin built
 * for another number, or whose structures have other sizes.
 */
#define CTHD_HELPER_ABI 2

struct cthd_plugin {
	uint32_t abi;			/* CTHD_HELPER_ABI; read before the rest */
	uint32_t helper_size;		/* the sizes the plugin was compiled with */
	uint32_t packet_size;
	uint32_t conntrack_size;
	uint32_t result_size;
	const struct cthd_helper *helper;
	/*
	 * NULL, or called once at start-up, before the privilege drop: 0 or a
	 * negative errno to refuse to start. It also runs in a throw-away
	 * child first (a crash there is reported, the daemon does not start):
	 * keep it free of side effects outside the process.
	 */
	int (*init)(void);
};

#define CTHD_PLUGIN(helper_var, init_fn)						\
	__attribute__((visibility("default"))) const struct cthd_plugin cthd_plugin = { \
		.abi = CTHD_HELPER_ABI,						\
		.helper_size = sizeof(struct cthd_helper),			\
		.packet_size = sizeof(struct cthd_packet),			\
		.conntrack_size = sizeof(struct cthd_conntrack),		\
		.result_size = sizeof(struct cthd_result),			\
		.helper = &(helper_var),						\
		.init = (init_fn),						\
	}

#endif
