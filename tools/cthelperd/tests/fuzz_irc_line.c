// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: irc_parse_line() on arbitrary lines. Checks that the
 * "<addr> <port>" span stays inside the line and reads back as what was
 * parsed, and that formatting what was parsed and parsing it again gives
 * the same address and port.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers/irc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	struct irc_dcc dcc, again;
	char text[64], round[128];
	int rc = irc_parse_line(line, size, &dcc), n;

	if (rc != 1)
		return 0;
	if (dcc.arg_off > size || dcc.arg_len > size - dcc.arg_off || dcc.arg_len < 3 ||
	    (dcc.family != AF_INET && dcc.family != AF_INET6))
		abort();
	/* the span alone, as an offer of its own, parses the same */
	n = snprintf(round, sizeof(round), "PRIVMSG x :\1DCC CHAT c %.*s\1", (int)dcc.arg_len,
		     line + dcc.arg_off);
	if (n > 0 && (size_t)n < sizeof(round) &&
	    (irc_parse_line(round, (size_t)n, &again) != 1 || again.port != dcc.port ||
	     memcmp(&again.addr, &dcc.addr, sizeof(dcc.addr))))
		abort();
	n = irc_format_arg(dcc.family, &dcc.addr, dcc.port, text, sizeof(text));
	if (n < 0)
		abort();
	snprintf(round, sizeof(round), "PRIVMSG x :\1DCC SEND f %s 1\1", text);
	if (irc_parse_line(round, strlen(round), &again) != 1 || again.port != dcc.port ||
	    again.family != dcc.family || memcmp(&again.addr, &dcc.addr, sizeof(dcc.addr)) ||
	    again.arg_len != (size_t)n)
		abort();
	return 0;
}
