// SPDX-License-Identifier: GPL-2.0
/* Dump the conntrack table of the current network namespace (ctnetlink)
 * and print the sequence adjustment of each conntrack, which conntrack(8)
 * does not show: one line per conntrack,
 *
 *   proto P dport D seqadj orig POS BEFORE AFTER reply POS BEFORE AFTER
 *
 * or "seqadj none" when the kernel sends no CTA_SEQ_ADJ_* attribute (it
 * sends them for a conntrack with the extension and IPS_SEQ_ADJUST set).
 * D is the original direction's destination port.
 *
 * usage: ct_seqadj
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <libmnl/libmnl.h>

struct seqadj {
	int present;
	uint32_t pos, before, after;
};

static int seqadj_cb(const struct nlattr *attr, void *data)
{
	struct seqadj *s = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case CTA_SEQADJ_CORRECTION_POS:
		s->pos = ntohl(mnl_attr_get_u32(attr));
		break;
	case CTA_SEQADJ_OFFSET_BEFORE:
		s->before = ntohl(mnl_attr_get_u32(attr));
		break;
	case CTA_SEQADJ_OFFSET_AFTER:
		s->after = ntohl(mnl_attr_get_u32(attr));
		break;
	}
	return MNL_CB_OK;
}

struct ct {
	uint8_t proto;
	uint16_t dport;
	struct seqadj adj[2];
};

static int proto_cb(const struct nlattr *attr, void *data)
{
	struct ct *ct = data;

	switch (mnl_attr_get_type(attr)) {
	case CTA_PROTO_NUM:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			ct->proto = mnl_attr_get_u8(attr);
		break;
	case CTA_PROTO_DST_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			ct->dport = ntohs(mnl_attr_get_u16(attr));
		break;
	}
	return MNL_CB_OK;
}

static int tuple_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTA_TUPLE_PROTO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, proto_cb, data);
	return MNL_CB_OK;
}

static int ct_attr_cb(const struct nlattr *attr, void *data)
{
	struct ct *ct = data;
	int type = mnl_attr_get_type(attr);
	struct seqadj *s;

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_OK;
	switch (type) {
	case CTA_TUPLE_ORIG:
		mnl_attr_parse_nested(attr, tuple_cb, ct);
		break;
	case CTA_SEQ_ADJ_ORIG:
	case CTA_SEQ_ADJ_REPLY:
		s = &ct->adj[type == CTA_SEQ_ADJ_REPLY];
		s->present = 1;
		mnl_attr_parse_nested(attr, seqadj_cb, s);
		break;
	}
	return MNL_CB_OK;
}

static int ct_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct ct = {};

	(void)data;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), ct_attr_cb, &ct);
	printf("proto %u dport %u seqadj", ct.proto, ct.dport);
	if (!ct.adj[0].present && !ct.adj[1].present) {
		printf(" none\n");
		return MNL_CB_OK;
	}
	for (int d = 0; d < 2; d++)
		printf(" %s %u %u %u", d ? "reply" : "orig", ct.adj[d].pos,
		       ct.adj[d].before, ct.adj[d].after);
	printf("\n");
	return MNL_CB_OK;
}

int main(void)
{
	char buf[32768];	/* a dump message of several conntracks */
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned int portid, seq = time(NULL);
	int ret;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ct_seqadj: netlink socket: %s\n", strerror(errno));
		return 1;
	}
	portid = mnl_socket_get_portid(nl);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "ct_seqadj: send the dump request: %s\n", strerror(errno));
		return 1;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, ct_cb, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret < 0) {
		fprintf(stderr, "ct_seqadj: conntrack dump: %s\n", strerror(errno));
		return 1;
	}
	mnl_socket_close(nl);
	return 0;
}
