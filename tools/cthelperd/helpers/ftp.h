/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FTP control-line parser, exposed for the unit tests and fuzz targets.
 * Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_FTP_H
#define CTHELPERD_HELPERS_FTP_H

#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

enum ftp_cmd {
	FTP_CMD_NONE = 0,
	FTP_CMD_PORT,		/* client: PORT h1,h2,h3,h4,p1,p2 */
	FTP_CMD_EPRT,		/* client: EPRT |1|a.b.c.d|port| (RFC 2428) */
	FTP_CMD_PASV,		/* server: 227 ... h1,h2,h3,h4,p1,p2 ... */
	FTP_CMD_EPSV,		/* server: 229 ... (|||port|) */
};

/* A parsed command argument, and where its text sits in the line. */
struct ftp_arg {
	enum ftp_cmd cmd;
	int family;		/* AF_INET or AF_INET6; 0 for EPSV (no address) */
	union cthd_addr addr;
	uint16_t port;
	char delim;		/* EPRT/EPSV delimiter */
	size_t arg_off;		/* the text NAT rewrites: [arg_off, +arg_len) */
	size_t arg_len;
};

/*
 * Parse one control line, without its "\r\n". dir says who sent it: the
 * client (original) sends PORT/EPRT, the server (reply) 227/229.
 * Returns 1 with *arg filled for a command that names a data connection,
 * 0 for any other line, -EINVAL for such a command that is malformed.
 */
int ftp_parse_line(const char *line, size_t len, enum cthd_dir dir,
		   struct ftp_arg *arg);

/*
 * Write the argument text for addr/port in the syntax of cmd (for NAT
 * rewriting), with delim for EPRT/EPSV. Returns the length, or -ENOSPC.
 * No NUL is needed by the caller; one is written when it fits.
 */
int ftp_format_arg(enum ftp_cmd cmd, char delim, int family,
		   const union cthd_addr *addr, uint16_t port,
		   char *buf, size_t size);

/*
 * The per-connection state, kept by the kernel as CTA_HELP_INFO: the stream
 * layer's positions. 24 bytes, the private data length conntrack-tools (and
 * nfct) register for "ftp", so a helper added with `nfct add helper ftp inet
 * tcp` fits.
 */
struct ftp_priv {
	struct cthd_stream stream;
};

_Static_assert(sizeof(struct ftp_priv) == 24, "ftp private data must stay 24 bytes");

#endif
