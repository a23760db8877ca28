/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Locating the L4 header and payload of a queued IPv4/IPv6 packet. */
#ifndef CTHELPERD_PACKET_H
#define CTHELPERD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "helper.h"

/*
 * Fill pkt's data, len, family, l4proto, offsets, payload and tcp_seq from
 * the raw packet (starting at the IP header). dir is left alone.
 * Returns 0, -EINVAL for a truncated or malformed packet, -EPROTONOSUPPORT
 * for an L4 protocol other than TCP/UDP or a non-first fragment.
 */
int cthd_packet_parse(const uint8_t *data, size_t len, struct cthd_packet *pkt);

#endif
