// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: nbns_is_request() and the netbios-ns helper (see
 * query_fuzz.h): an expectation only for a request broadcast to
 * 10.9.0.255 over IPv4, never for IPv6.
 */
#include <errno.h>

#include "../helpers/netbios_ns.h"
#include "query_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int req;

	if (size < 1)
		return 0;
	req = nbns_is_request(data + 1, size - 1);
	if ((req != 0 && req != 1 && req != -EINVAL) || (size - 1 <= 12 && req != -EINVAL))
		abort();
	/* IPv6 has no NetBIOS name service: never a query */
	fuzz_query("netbios-ns", "10.9.0.255", "ff02::1", 137, 137, data, size,
		   data[0] & 1 ? 0 : req);
	return 0;
}
