/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Applying a helper's payload edits to a packet. */
#ifndef CTHELPERD_MANGLE_H
#define CTHELPERD_MANGLE_H

#include <stddef.h>
#include <stdint.h>

#include "helper.h"

/*
 * Copy in[0..in_len) to out with the edits applied (sorted, disjoint,
 * inside in). Returns the new length, or -EINVAL / -ENOSPC.
 */
long cthd_mangle_payload(const uint8_t *in, size_t in_len,
			const struct cthd_mangle *edits, unsigned int n_edits,
			uint8_t *out, size_t out_size);

/*
 * Apply the edits to the payload of an IPv4/IPv6 TCP or UDP packet and fix
 * the length fields and checksums. pkt describes the input packet. Returns
 * the new packet length in out, or a negative errno.
 */
long cthd_mangle_packet(const struct cthd_packet *pkt,
		       const struct cthd_mangle *edits, unsigned int n_edits,
		       uint8_t *out, size_t out_size);

#endif
