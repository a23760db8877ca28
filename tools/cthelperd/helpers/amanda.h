/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Amanda (bsd authentication over UDP) reply parser, exposed for the unit
 * tests and fuzz targets. Pure functions: no I/O, no state outside their
 * arguments.
 */
#ifndef CTHELPERD_HELPERS_AMANDA_H
#define CTHELPERD_HELPERS_AMANDA_H

#include <stddef.h>
#include <stdint.h>

/* The streams a CONNECT line names and the helper opens. */
enum amanda_stream {
	AMANDA_DATA,
	AMANDA_MESG,
	AMANDA_INDEX,
	AMANDA_STATE,		/* Amanda 3.4+ */
	AMANDA_CMD,
	AMANDA_STREAMS,
};

/* One "<NAME> <port>" of a CONNECT line, and where its number sits. */
struct amanda_port {
	uint16_t port;		/* 0: not named, or -1 (no such stream) */
	size_t off;		/* the port's text in the packet: [off, off + len) */
	size_t len;
};

struct amanda_connect {
	struct amanda_port ports[AMANDA_STREAMS];	/* by enum amanda_stream */
};

/*
 * Parse one packet: a header line "Amanda <version> <type> HANDLE <handle>
 * SEQ <seq>", then the body. Returns 1 for a REP whose body has a line
 * "CONNECT <NAME> <port> ..." (NAME one of DATA, MESG, INDEX, and STATE and
 * CMD of Amanda 3.4+; port decimal, 1..65535, or -1 for a stream that is
 * not used), *c filled; 0 for any other well-formed
 * packet (REQ, ACK, NAK, a REP without CONNECT, such as an ERROR); -EINVAL
 * for anything else: no header, a CONNECT line with an unknown or repeated
 * name, a port that is 0, too long or too large, two CONNECT lines.
 */
int amanda_parse(const char *pkt, size_t len, struct amanda_connect *c);

#endif
