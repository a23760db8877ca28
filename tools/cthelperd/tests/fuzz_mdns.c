// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: mdns_is_query() and the mdns helper (see query_fuzz.h). */
#include <errno.h>

#include "../helpers/mdns.h"
#include "query_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int q;

	if (size < 1)
		return 0;
	q = mdns_is_query(data + 1, size - 1);
	if ((q != 0 && q != 1 && q != -EINVAL) || (size - 1 <= 12 && q != -EINVAL))
		abort();
	fuzz_query("mdns", "224.0.0.251", "ff02::fb", 5353, 5353, data, size, q);
	return 0;
}
