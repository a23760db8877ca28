/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IRC DCC offer parser, exposed for the unit tests and fuzz targets.
 * Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_IRC_H
#define CTHELPERD_HELPERS_IRC_H

#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

enum irc_dcc_type {
	IRC_DCC_NONE = 0,
	IRC_DCC_SEND,		/* SEND <file> <addr> <port> [<size> [<token>]] */
	IRC_DCC_CHAT,		/* CHAT <protocol> <addr> <port> */
	IRC_DCC_MOVE,		/* MOVE, TSEND: like SEND */
	IRC_DCC_TSEND,
	IRC_DCC_SCHAT,		/* SCHAT: like CHAT */
	IRC_DCC_RESUME,		/* RESUME/ACCEPT <file> <port> <position>: no address */
	IRC_DCC_ACCEPT,
};

/* A parsed DCC offer, and where its "<addr> <port>" text sits in the line. */
struct irc_dcc {
	enum irc_dcc_type type;
	int family;		/* AF_INET (a decimal number), AF_INET6 (a literal) */
	union cthd_addr addr;
	uint16_t port;		/* 0: a passive (reverse) offer, the peer listens */
	size_t arg_off;		/* the text NAT rewrites: [arg_off, +arg_len) */
	size_t arg_len;
};

/*
 * Parse one line a client sends, without its "\r\n": a PRIVMSG (after an
 * optional prefix) whose message starts with the CTCP "\1DCC <type> ...\1".
 * Returns 1 with *dcc filled for an offer that carries an address and port
 * (SEND, CHAT, MOVE, TSEND, SCHAT), 0 for any other line (RESUME and
 * ACCEPT set dcc->type only), -EINVAL for a DCC that is malformed: no
 * closing \1, numbers out of range, an address that is neither a decimal
 * IPv4 address nor an IPv6 literal.
 */
int irc_parse_line(const char *line, size_t len, struct irc_dcc *dcc);

/*
 * Write "<addr> <port>" for family/addr/port (for NAT rewriting). Returns
 * the length, or -ENOSPC / -EINVAL. Writes a NUL when it fits.
 */
int irc_format_arg(int family, const union cthd_addr *addr, uint16_t port,
		   char *buf, size_t size);

/* The per-connection state, kept by the kernel: the stream layer's. */
struct irc_priv {
	struct cthd_stream stream;
};

_Static_assert(sizeof(struct irc_priv) == 24, "irc private data is the stream state");

#endif
