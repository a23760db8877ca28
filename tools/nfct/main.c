// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nfct - manage user-space conntrack helpers and timeout policies.
 * Compatible with conntrack-tools' nfct grammar; see nfct(8).
 */
#include <stdio.h>

#include "nfct.h"

int main(int argc, char *argv[])
{
	struct nfct_cmd cmd;
	char err[1024];
	int ret;

	ret = nfct_parse_args(argc - 1, argv + 1, &cmd, err, sizeof(err));
	if (ret != NFCT_EXIT_OK) {
		fprintf(stderr, "nfct: %s\n", err);
		return ret;
	}
	switch (cmd.verb) {
	case NFCT_VERB_HELP:
		nfct_print_help(stdout);
		return NFCT_EXIT_OK;
	case NFCT_VERB_VERSION:
		printf("nfct %s (user-space conntrack helpers; conntrack-tools 1.4.7 compatible)\n",
		       NFCT_VERSION);
		return NFCT_EXIT_OK;
	default:
		return nfct_run(&cmd);
	}
}
