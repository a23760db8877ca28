// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: ssdp_is_search() and the ssdp helper (see
 * query_fuzz.h); a search stays one with bytes appended after its empty
 * line, and never is one when cut before it. The eventing parsers
 * (ssdp_answer_location(), ssdp_subscribe_callback()) on the same bytes,
 * for both families: a URL they accept has a port.
 */
#include <errno.h>
#include <sys/socket.h>

#include "../helpers/ssdp.h"
#include "query_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int q;

	if (size < 1)
		return 0;
	q = ssdp_is_search(data + 1, size - 1);
	if (q != 0 && q != 1 && q != -EINVAL)
		abort();
	if (q == 1 && (size < 5 || memcmp(data + size - 4, "\r\n\r\n", 4)) &&
	    !memmem(data + 1, size - 1, "\r\n\r\n", 4))
		abort();
	for (int fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0) {
		union cthd_addr a;
		uint16_t port = 0;
		int rc = ssdp_answer_location(data + 1, size - 1, fam, &a, &port);

		if (rc < -EINVAL || rc > 1 || (rc == 1 && !port))
			abort();
		port = 0;
		rc = ssdp_subscribe_callback(data + 1, size - 1, fam, &a, &port);
		if ((rc != 0 && rc != 1 && rc != -EINVAL && rc != -EAGAIN) || (rc == 1 && !port))
			abort();
	}
	fuzz_query("ssdp", "239.255.255.250", "ff02::c", 1900, 0, data, size, q);
	return 0;
}
