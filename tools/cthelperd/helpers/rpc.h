/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ONC RPC portmapper (RFC 1833) messages the rpc helpers read, exposed for
 * the unit tests and fuzz targets. Pure functions: no I/O, no state outside
 * their arguments. A message here is what follows the record mark on TCP,
 * or a whole UDP datagram; every XDR word is 4 bytes, big-endian.
 */
#ifndef CTHELPERD_HELPERS_RPC_H
#define CTHELPERD_HELPERS_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

#define RPC_PMAP_PROG		100000	/* portmapper, rpcbind */
#define RPC_AUTH_MAX		400	/* MAX_AUTH_BYTES */
#define RPC_NETID_MAX		32
#define RPC_STRING_MAX		255	/* r_addr, r_owner, a reply's universal address */

/* The portmapper queries whose answer names a port. */
enum rpc_query {
	RPC_QUERY_NONE = 0,
	RPC_QUERY_GETPORT,	/* portmapper v2 PMAPPROC_GETPORT: a port */
	RPC_QUERY_GETADDR,	/* rpcbind v3/v4 GETADDR, v4 GETVERSADDR: a universal address */
};

/* A call the helper waits for the answer to (the connection's last one). */
struct rpc_call {
	uint32_t xid;
	uint8_t query;		/* enum rpc_query; NONE: no call outstanding */
	uint8_t l4proto;	/* of the program asked for */
	uint8_t family;		/* of the address asked for: AF_INET or AF_INET6 */
	uint8_t flags;		/* RPC_CONT_* (TCP: inside a multi-fragment record) */
};

#define RPC_CONT(dir)	(1u << (dir))

/*
 * A call: 1 with *call for a GETPORT (prot TCP or UDP) or a GETADDR /
 * GETVERSADDR (netid tcp, udp, tcp6 or udp6), 0 for any other call or a
 * reply, -EINVAL for bytes that are no RPC message: too short, RPC version
 * not 2, credentials over RPC_AUTH_MAX, strings longer than the message or
 * their limits, bytes after a query's arguments.
 */
int rpc_parse_call(const uint8_t *m, size_t len, struct rpc_call *call);

struct rpc_answer {
	uint16_t port;		/* 0: the program is not registered */
	bool has_addr;		/* GETADDR: a universal address was given */
	union cthd_addr addr;
	size_t str_off;		/* GETADDR: the string, from its length word */
	size_t str_len;		/* its length word, bytes and padding */
	size_t port_off;	/* GETPORT: the port word */
};

/*
 * The reply to `call` (its XID, a successful accepted reply with a result
 * of the query's type): 1 with *a when it names a port, 0 for one that
 * does not (port 0, an empty address: not registered; a denied or failed
 * call), -EINVAL for anything else: another XID, a call, a malformed
 * message or universal address, bytes after the result.
 */
int rpc_parse_reply(const uint8_t *m, size_t len, const struct rpc_call *call,
		    struct rpc_answer *a);

/*
 * A universal address (RFC 5665): an IPv4 or IPv6 literal of `family`,
 * then ".p1.p2", the port's high and low byte in decimal. 0 or -EINVAL.
 */
int rpc_parse_uaddr(const char *s, size_t len, int family, union cthd_addr *addr,
		    uint16_t *port);

/* The per-connection state, kept by the kernel: UDP, and TCP with its stream. */
struct rpc_priv {
	struct rpc_call call;
};

struct rpc_tcp_priv {
	struct cthd_stream stream;
	struct rpc_call call;
};

_Static_assert(sizeof(struct rpc_tcp_priv) <= CTHD_PRIV_MAX, "rpc-tcp private data fits");

#endif
