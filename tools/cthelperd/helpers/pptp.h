/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PPTP control message parser (RFC 2637), exposed for the unit tests and
 * fuzz targets. Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_PPTP_H
#define CTHELPERD_HELPERS_PPTP_H

#include <stddef.h>
#include <stdint.h>

#define PPTP_MAGIC_COOKIE	0x1a2b3c4du
#define PPTP_HEADER_LEN		12
#define PPTP_MESSAGE_MAX	512	/* the longest is 220 bytes (ICRQ) */

/* Control Message Types */
#define PPTP_SCCRQ	1	/* Start-Control-Connection-Request */
#define PPTP_SCCRP	2	/* Start-Control-Connection-Reply */
#define PPTP_OCRQ	7	/* Outgoing-Call-Request */
#define PPTP_OCRP	8	/* Outgoing-Call-Reply */
#define PPTP_ICRQ	9	/* Incoming-Call-Request */
#define PPTP_ICRP	10	/* Incoming-Call-Reply */
#define PPTP_ICCN	11	/* Incoming-Call-Connected */
#define PPTP_CCRQ	12	/* Call-Clear-Request */
#define PPTP_CDN	13	/* Call-Disconnect-Notify */
#define PPTP_SLI	15	/* Set-Link-Info */

/* What the helper needs of one control message. */
struct pptp_msg {
	uint16_t type;		/* Control Message Type, 1..15 */
	uint16_t length;	/* the whole message, header included */
	uint16_t call_id;	/* OCRQ, OCRP, ICRQ, ICRP, CCRQ, CDN */
	uint16_t peer_call_id;	/* OCRP, ICRP, ICCN, WEN, SLI */
	uint8_t result;		/* SCCRP, OCRP, ICRP: Result Code */
};

/*
 * Parse the control message at data[0..len): a PPTP header (Length, Message
 * Type 1, the Magic Cookie) and at least the body its Control Message Type
 * has in RFC 2637, all within len. Returns the message's length (the offset
 * of the next one), 0 when len holds only the beginning of a well-formed
 * message (cut by the segment's end), or -EINVAL for anything else.
 */
int pptp_parse(const uint8_t *data, size_t len, struct pptp_msg *msg);

#endif
