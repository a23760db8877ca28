/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SANE network protocol messages the sane helper reads, exposed for the
 * unit tests and fuzz targets. Pure functions: no I/O, no state outside
 * their arguments. Every SANE word is 4 bytes, big-endian.
 */
#ifndef CTHELPERD_HELPERS_SANE_H
#define CTHELPERD_HELPERS_SANE_H

#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

#define SANE_NET_START		7	/* procedure number of the start request */
#define SANE_START_REQUEST_LEN	8	/* procedure, handle */
#define SANE_RESOURCE_MAX	256	/* longest resource name taken */

/*
 * 1 when data is a start request (exactly the procedure SANE_NET_START and
 * a handle, as the net backend sends it in one write), 0 otherwise.
 */
int sane_parse_start_request(const uint8_t *data, size_t len);

/*
 * A start reply: status, port, byte order (0x1234 or 0x4321), the resource
 * to authorize (a string: a length word, then that many bytes, the last a
 * NUL; length 0 for none). Returns 1 with *port for a successful start on a
 * port, 0 for an unsuccessful one (a status other than 0), -EINVAL for
 * anything that is not a start reply: too short, a port word over 65535 or
 * 0 with success, another byte order, a string longer than the message or
 * SANE_RESOURCE_MAX. Bytes after the string (the next reply) are allowed.
 */
int sane_parse_start_reply(const uint8_t *data, size_t len, uint16_t *port);

/* The per-connection state, kept by the kernel. */
struct sane_priv {
	struct cthd_stream stream;
	uint32_t start_requested;	/* the client's last request was a start */
};

_Static_assert(sizeof(struct sane_priv) <= CTHD_PRIV_MAX, "sane private data fits the kernel's");

#endif
