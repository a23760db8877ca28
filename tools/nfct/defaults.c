// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-helper defaults. The policies and private data lengths are those of
 * conntrack-tools 1.4.7's helpers (/usr/lib/.../conntrack-tools/
 * ct_helper_*.so), measured from the NEW messages Debian's nfct sends, so
 * "nfct helper add ftp inet tcp" registers the same helper with either tool.
 */
#include <string.h>
#include <netinet/in.h>

#include "nfct.h"

static const struct nfct_helper_defaults known_helpers[] = {
	/* name	   l4		  priv  max  timeout */
	{ "amanda", IPPROTO_UDP,	0,  3,  180 },
	{ "dhcpv6", IPPROTO_UDP,	0,  1,  300 },
	{ "ftp",    IPPROTO_TCP,	24, 1,  300 },
	{ "mdns",   IPPROTO_UDP,	0,  8,  30 },
	{ "rpc",    IPPROTO_TCP,	16, 1,  300 },
	{ "rpc",    IPPROTO_UDP,	16, 1,  300 },
	{ "sane",   IPPROTO_TCP,	4,  1,  300 },
	{ "slp",    IPPROTO_UDP,	0,  8,  16 },
	{ "ssdp",   IPPROTO_TCP,	0,  8,  300 },
	{ "ssdp",   IPPROTO_UDP,	0,  8,  300 },
	{ "tftp",   IPPROTO_UDP,	0,  1,  300 },
	{ "tns",    IPPROTO_TCP,	1,  1,  300 },
};

const struct nfct_helper_defaults *nfct_helper_defaults(const char *name,
							 uint8_t l4num)
{
	size_t i;

	for (i = 0; i < sizeof(known_helpers) / sizeof(known_helpers[0]); i++)
		if (!strcmp(known_helpers[i].name, name) &&
		    known_helpers[i].l4num == l4num)
			return &known_helpers[i];
	return NULL;
}

/* In-kernel helpers by the name they register, for EBUSY explanations. */
static const struct {
	const char *name;
	const char *module;
} kernel_helpers[] = {
	{ "ftp",	"nf_conntrack_ftp" },
	{ "tftp",	"nf_conntrack_tftp" },
	{ "sip",	"nf_conntrack_sip" },
	{ "irc",	"nf_conntrack_irc" },
	{ "amanda",	"nf_conntrack_amanda" },
	{ "sane",	"nf_conntrack_sane" },
	{ "pptp",	"nf_conntrack_pptp" },
	{ "snmp",	"nf_conntrack_snmp" },
	{ "netbios-ns",	"nf_conntrack_netbios_ns" },
	{ "RAS",	"nf_conntrack_h323" },
	{ "Q.931",	"nf_conntrack_h323" },
	{ "H.245",	"nf_conntrack_h323" },
};

const char *nfct_kernel_helper_module(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kernel_helpers) / sizeof(kernel_helpers[0]); i++)
		if (!strcmp(kernel_helpers[i].name, name))
			return kernel_helpers[i].module;
	return NULL;
}
