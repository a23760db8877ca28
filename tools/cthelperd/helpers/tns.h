/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Oracle TNS (SQL*Net) parsing, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_TNS_H
#define CTHELPERD_HELPERS_TNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../helper.h"

#define TNS_HEADER_LEN		8
#define TNS_TYPE_CONNECT	1
#define TNS_TYPE_ACCEPT		2
#define TNS_TYPE_REFUSE		4
#define TNS_TYPE_REDIRECT	5
#define TNS_TYPE_DATA		6
#define TNS_TYPE_MAX		19
/* the largest SDU Oracle negotiates is 2 MB; more is no TNS packet */
#define TNS_PACKET_MAX		(4u << 20)

/*
 * The length of the TNS packet at data[0..avail), header included: > 0; 0
 * when avail holds less than a header; -EINVAL for bytes that are no TNS
 * packet (an unknown type, a length below the header's or above
 * TNS_PACKET_MAX). *wide (may be NULL) says whether the length is 32 bits
 * (Oracle 12c's large packets: the packet checksum field is part of it)
 * rather than 16.
 */
long tns_packet_len(const uint8_t *data, size_t avail, bool *wide);

/* A redirect's address: (ADDRESS=(PROTOCOL=tcp)(HOST=...)(PORT=...)) */
struct tns_address {
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC for a host name */
	union cthd_addr addr;
	uint16_t port;
	/* where the values lie in the text (HOST without its brackets) */
	size_t host_off, host_len;
	size_t port_off, port_len;
};

/*
 * The address that redirect data text[0..len) starts with, up to its first
 * NUL (the connect data follows it): an NV list of (KEY=VALUE) pairs whose
 * one HOST and one PORT are the address; PROTOCOL, when there, must be tcp
 * or tcps. 0, -EINVAL when it does not parse (or names HOST or PORT twice),
 * -EPROTONOSUPPORT for another protocol (ipc, beq, sdp...).
 */
int tns_parse_address(const char *text, size_t len, struct tns_address *a);

#endif
