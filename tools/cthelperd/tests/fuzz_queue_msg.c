// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the whole per-packet path on an arbitrary queue
 * message. The input is the attribute area of an NFQNL_MSG_PACKET (what
 * follows the nfgenmsg), so nfq_nlmsg_parse(), the NFQA_CT parser, the
 * packet parser, the FTP helper, the mangler and the verdict builder all
 * see hostile bytes. Whatever comes in, a verdict must come out.
 */
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdlib.h>
#include <string.h>

#include "../process.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cthd_scratch scratch;
static char msg[0x20000] __attribute__((aligned(4)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cthd_helper *ftp = cthd_helper_find("ftp");
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(msg);
	struct cthd_counters c = { 0 };
	struct cthd_outcome out;
	struct nfgenmsg *nfg;

	if (!ftp || size > sizeof(msg) - 64)
		return 0;
	nlh->nlmsg_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->res_id = htons(3);
	memcpy((char *)nlh + nlh->nlmsg_len, data, size);
	nlh->nlmsg_len += (uint32_t)size;
	cthd_process_packet(nlh, ftp, NULL, 1 + size % CTHD_EXPECT_MAX, &scratch, &c, &out);
	/* no verdict only when there is no packet id to answer */
	if (!out.verdict && !(out.error < 0 && c.packets == 0))
		abort();
	if (out.n_extra > CTHD_EXPECT_MAX)
		abort();
	return 0;
}
