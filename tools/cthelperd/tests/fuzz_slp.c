// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: slp_is_request() and the slp helper (see
 * query_fuzz.h); a request's declared length is the datagram's.
 */
#include <errno.h>

#include "../helpers/slp.h"
#include "query_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int q;

	if (size < 1)
		return 0;
	q = slp_is_request(data + 1, size - 1);
	if (q != 0 && q != 1 && q != -EINVAL)
		abort();
	if (q == 1 && data[1] == 2 &&
	    ((size_t)data[3] << 16 | (size_t)data[4] << 8 | data[5]) != size - 1)
		abort();
	fuzz_query("slp", "239.255.255.253", "ff02::116", 427, 427, data, size, q);
	return 0;
}
