/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 client message check, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_DHCPV6_H
#define CTHELPERD_HELPERS_DHCPV6_H

#include <stddef.h>

/* RFC 8415 section 7.3 message types a client sends */
#define DHCPV6_SOLICIT		1
#define DHCPV6_ADVERTISE	2
#define DHCPV6_REQUEST		3
#define DHCPV6_CONFIRM		4
#define DHCPV6_RENEW		5
#define DHCPV6_REBIND		6
#define DHCPV6_REPLY		7
#define DHCPV6_RELEASE		8
#define DHCPV6_DECLINE		9
#define DHCPV6_INFORMATION_REQUEST 11

/*
 * 1 for a message a client sends and a server answers (SOLICIT, REQUEST,
 * CONFIRM, RENEW, REBIND, RELEASE, DECLINE, INFORMATION-REQUEST) whose
 * options are well formed (each option's length inside the message), 0
 * for other message types, -EINVAL for a message cut short or options
 * that run past its end.
 */
int dhcpv6_is_client_message(const void *data, size_t len);

#endif
