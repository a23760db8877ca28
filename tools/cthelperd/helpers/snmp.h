/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SNMP message parser (BER), exposed for the unit tests and fuzz targets.
 * Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_SNMP_H
#define CTHELPERD_HELPERS_SNMP_H

#include <stddef.h>
#include <stdint.h>

/* msgVersion values (RFC 3416, RFC 3412) */
#define SNMP_V1		0
#define SNMP_V2C	1
#define SNMP_V3		3

/* BER identifiers the parser knows */
#define SNMP_TAG_IPADDRESS	0x40	/* [APPLICATION 0] IMPLICIT OCTET STRING (SIZE (4)) */
#define SNMP_TAG_TRAP_V1	0xa4	/* Trap-PDU of SNMPv1 (RFC 1157) */

/* Called for every IpAddress at payload offset `offset` (its 4 bytes). */
typedef void (*snmp_ipaddr_fn)(void *ctx, size_t offset);

/*
 * Parse one SNMP message (a UDP payload). For a community-based message
 * (version 1 or 2c) the whole message is checked against RFC 1157 / RFC
 * 3416 and every IpAddress is reported through ipaddr: the agent-addr of an
 * SNMPv1 trap and each variable binding's value. Returns the version
 * (SNMP_V1, SNMP_V2C), or for any other version the version number without
 * looking further (SNMPv3 carries no community PDU in the clear, and a
 * rewrite would break its authentication); -EINVAL for anything that is
 * not a well-formed message, and then ipaddr may have been called already.
 *
 * Strict where BER allows what SNMP forbids (RFC 3417 section 8): definite
 * lengths only, of at most 4 length bytes; low tag numbers only; no bytes
 * after the message; each constructed value holds exactly its parts.
 * Nesting is fixed by the grammar, so there is no recursion.
 */
int snmp_parse(const uint8_t *data, size_t len, snmp_ipaddr_fn ipaddr, void *ctx);

#endif
