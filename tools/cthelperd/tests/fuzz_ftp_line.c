// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: ftp_parse_line() on arbitrary lines, both directions.
 * Checks that the argument span stays inside the line and that formatting
 * what was parsed and parsing it again gives the same address and port.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../helpers/ftp.h"

static const char *keyword_for(enum ftp_cmd cmd)
{
	switch (cmd) {
	case FTP_CMD_PORT: return "PORT ";
	case FTP_CMD_EPRT: return "EPRT ";
	case FTP_CMD_PASV: return "227 (";
	case FTP_CMD_EPSV: return "229 (";
	default: abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int d = 0; d < 2; d++) {
		enum cthd_dir dir = d ? CTHD_DIR_REPLY : CTHD_DIR_ORIGINAL;
		struct ftp_arg arg, again;
		char text[128], line[160];
		int rc = ftp_parse_line((const char *)data, size, dir, &arg);
		int n;

		if (rc != 1)
			continue;
		if (arg.arg_off > size || arg.arg_len > size - arg.arg_off || arg.port == 0)
			abort();
		n = ftp_format_arg(arg.cmd, arg.delim, arg.family ? arg.family : AF_INET,
				   &arg.addr, arg.port, text, sizeof(text));
		if (n < 0)
			abort();
		snprintf(line, sizeof(line), "%s%s", keyword_for(arg.cmd), text);
		if (ftp_parse_line(line, strlen(line), dir, &again) != 1 ||
		    again.port != arg.port || again.family != arg.family ||
		    memcmp(&again.addr, &arg.addr, sizeof(arg.addr)) ||
		    again.arg_len != (size_t)n)
			abort();
	}
	return 0;
}
