// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: dhcpv6_is_client_message() and the dhcpv6 helper (see
 * query_fuzz.h): IPv6 only; a message the parser accepts has options that
 * end exactly at its end.
 */
#include <errno.h>

#include "../helpers/dhcpv6.h"
#include "query_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int q;

	if (size < 1)
		return 0;
	q = dhcpv6_is_client_message(data + 1, size - 1);
	if (q != 0 && q != 1 && q != -EINVAL)
		abort();
	if (q == 1) {
		size_t pos = 5;

		while (pos < size)
			pos += 4 + ((size_t)data[pos + 2] << 8 | data[pos + 3]);
		if (pos != size)
			abort();
	}
	fuzz_query("dhcpv6", "224.0.0.2", "ff02::1:2", 547, 547, data, size,
		   data[0] & 1 ? q : 0);
	return 0;
}
