// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: the configuration parser on arbitrary text. */
#include <stdlib.h>
#include <string.h>

#include "../config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cthd_config cfg;
	char err[128];
	int rc;

	cthd_config_defaults(&cfg);
	rc = cthd_config_parse((const char *)data, size, &cfg, err, sizeof(err));
	/* an error always says where; a success leaves a consistent config */
	if (rc < 0 && strncmp(err, "line ", 5))
		abort();
	if (rc == 0 && cfg.n_served > CTHD_SERVED_MAX)
		abort();
	for (unsigned int i = 0; i < cfg.n_served; i++)
		if (!cfg.served[i].name[0] || cfg.served[i].n_policies > CTHD_POLICY_MAX ||
		    memchr(cfg.served[i].name, 0, sizeof(cfg.served[i].name)) == NULL)
			abort();
	return 0;
}
