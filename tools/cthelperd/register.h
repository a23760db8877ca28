/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel registration of the helpers the daemon serves, with the shared
 * NFCTH_* library (tools/lib/cthelper_nl.h), as nfct(8) does it.
 */
#ifndef CTHELPERD_REGISTER_H
#define CTHELPERD_REGISTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "helper.h"

struct cth_nl;

struct cthd_kernel_helper {
	uint16_t l3num;			/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	uint8_t l4proto;		/* the helper's, or its also_l4proto */
	bool present;			/* the kernel has it (now) */
	bool created;			/* we created it: delete it at exit */
	uint32_t priv_len;		/* its private data length */
};

/*
 * Make helper h on family l3num and protocol l4proto (h's own or its
 * also_l4proto) serve queue sc->queue, enabled: update an
 * existing registration, or create one when create is set. kh says what
 * happened. Returns 0, or -errno with a message in err; -ENOENT when the
 * helper is not registered and create is not set.
 */
int cthd_register(struct cth_nl *nl, const struct cthd_helper *h,
		  const struct cthd_served_config *sc, uint16_t l3num, uint8_t l4proto, bool create,
		  struct cthd_kernel_helper *kh, char *err, size_t errlen);

/* Delete a registration this daemon created; 0 or -errno. */
int cthd_unregister(struct cth_nl *nl, const struct cthd_helper *h,
		    const struct cthd_kernel_helper *kh);

#endif
