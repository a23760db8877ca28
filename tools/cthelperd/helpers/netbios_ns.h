/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NetBIOS name service (RFC 1002) header check, exposed for the unit tests
 * and fuzz targets. Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_NETBIOS_NS_H
#define CTHELPERD_HELPERS_NETBIOS_NS_H

#include <stddef.h>

/* RFC 1002 4.2.1.1 opcodes */
#define NBNS_OP_QUERY		0
#define NBNS_OP_REGISTRATION	5
#define NBNS_OP_RELEASE		6
#define NBNS_OP_WACK		7
#define NBNS_OP_REFRESH		8
#define NBNS_OP_REFRESH_ALT	9	/* RFC 1002 errata: both mean refresh */

/*
 * 1 when data is a name service request that hosts answer (a query, a
 * registration or a refresh: R bit clear, at least one question, some
 * bytes of it), 0 for other messages (responses, releases, unknown
 * opcodes), -EINVAL for less than a header and a question byte.
 */
int nbns_is_request(const void *data, size_t len);

#endif
