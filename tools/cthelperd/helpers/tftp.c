// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TFTP helper: a read or write request from the client opens an
 * expectation for the server's answer, which comes from a new port: from
 * the server's address, any source port, to the client's address and port
 * as the server sees them, as nf_conntrack_tftp does. Under NAT the
 * expectation follows the master's NAT to the client's own address and
 * port (nf_nat_tftp); the payload carries no address, so nothing is
 * rewritten. IPv4 and IPv6.
 *
 * Tighter than the kernel: only the client's requests count (the kernel
 * reads both directions), and only well-formed ones (the kernel looks at
 * the opcode alone). No per-connection state.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "../helper.h"
#include "tftp.h"

/* The NUL-terminated string at *pos, non-empty; *pos moves past its NUL. */
static bool tftp_string(const char *s, size_t len, size_t *pos, size_t *slen)
{
	const char *nul = memchr(s + *pos, '\0', len - *pos);

	if (!nul || nul == s + *pos)
		return false;
	*slen = (size_t)(nul - (s + *pos));
	*pos += *slen + 1;
	return true;
}

static bool tftp_mode_known(const char *mode, size_t len)
{
	static const char *const modes[] = { "netascii", "octet", "mail" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (len == strlen(modes[i]) && !strncasecmp(mode, modes[i], len))
			return true;
	return false;
}

int tftp_parse(const void *data, size_t len, uint16_t *opcode)
{
	const char *s = data;
	size_t pos = 2, n, mode_at;

	if (len < 2)
		return -EINVAL;
	*opcode = (uint16_t)((uint8_t)s[0] << 8 | (uint8_t)s[1]);
	switch (*opcode) {
	case TFTP_RRQ:
	case TFTP_WRQ:
		break;
	case TFTP_DATA:
	case TFTP_ACK:
	case TFTP_ERROR:
	case TFTP_OACK:
		return 0;
	default:
		return -EINVAL;
	}
	if (!tftp_string(s, len, &pos, &n))		/* file name */
		return -EINVAL;
	mode_at = pos;
	if (!tftp_string(s, len, &pos, &n) || !tftp_mode_known(s + mode_at, n))
		return -EINVAL;
	/* options: name, value; NUL padding after them is tolerated */
	while (pos < len && s[pos] != '\0') {
		if (!tftp_string(s, len, &pos, &n) || pos >= len)
			return -EINVAL;
		if (!memchr(s + pos, '\0', len - pos))
			return -EINVAL;
		pos += strnlen(s + pos, len - pos) + 1;
	}
	for (; pos < len; pos++)
		if (s[pos] != '\0')
			return -EINVAL;
	return 1;
}

static int tftp_process(const struct cthd_packet *pkt, const struct cthd_conntrack *ct,
			void *priv, struct cthd_result *res)
{
	struct cthd_expect exp;
	uint16_t opcode;
	int rc;

	(void)priv;
	if (ct->l4proto != IPPROTO_UDP || (ct->family != AF_INET && ct->family != AF_INET6))
		return -EPROTONOSUPPORT;
	/* requests come from the client; a server never sends one */
	if (pkt->dir != CTHD_DIR_ORIGINAL)
		return 0;
	rc = tftp_parse(pkt->payload, pkt->payload_len, &opcode);
	if (rc < 0)
		res->parse_errors++;
	if (rc <= 0)
		return 0;
	/* the server answers from a new port, to the client as it sees it */
	cthd_expect_to_sender(&exp, ct, CTHD_DIR_ORIGINAL, IPPROTO_UDP,
			      ct->tuple[CTHD_DIR_REPLY].dport, ct->tuple[CTHD_DIR_ORIGINAL].sport,
			      false);
	if (cthd_result_add_expect(res, &exp) < 0)
		res->lost++;
	return 0;
}

/* nf_conntrack_tftp's policy: one expectation, 5 minutes */
static const struct cthd_helper tftp_helper = {
	.name = "tftp",
	.l4proto = IPPROTO_UDP,
	.default_port = 69,
	.n_policies = 1,
	.policies = { { .name = "tftp", .max_expected = 1, .timeout = 300 } },
	.priv_len = 0,
	.process = tftp_process,
};

CTHD_HELPER_REGISTER(tftp_helper);
