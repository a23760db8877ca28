// SPDX-License-Identifier: GPL-2.0
/* Netlink plumbing shared by the selftest programs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_cthelper.h>

#include "cthelper_nl.h"

struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink socket");
		exit(2);
	}
	return nl;
}

struct nlmsghdr *nfnl_msg(char *buf, uint8_t subsys, uint8_t type,
			  uint16_t flags, uint8_t family, uint16_t res_id)
{
	static uint32_t seq;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (subsys << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq ? ++seq : (seq = time(NULL));

	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(res_id);
	return nlh;
}

int nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh,
	    mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0);

	return ret < 0 ? -errno : 0;
}

void cth_default(struct cth_helper *h, const char *name, uint16_t l3num,
		 uint8_t l4num)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->l3num = l3num;
	h->l4num = l4num;
	h->set_num = 1;
	h->sets = 1;
	snprintf(h->policy[0].name, sizeof(h->policy[0].name), "%s", name);
	h->policy[0].expect_max = 1;
	h->policy[0].expect_timeout = 300;
	h->attrs = CTH_A_NAME | CTH_A_TUPLE | CTH_A_POLICY | CTH_A_PRIV;
}

static void cth_put_policy(struct nlmsghdr *nlh, const struct cth_helper *h)
{
	struct nlattr *nest, *set;
	int i;

	nest = mnl_attr_nest_start(nlh, NFCTH_POLICY);
	mnl_attr_put_u32(nlh, NFCTH_POLICY_SET_NUM, htonl(h->set_num));
	for (i = 0; i < CTH_MAX_CLASSES; i++) {
		const struct cth_policy *p = &h->policy[i];

		if (!(h->sets & (1U << i)))
			continue;
		set = mnl_attr_nest_start(nlh, NFCTH_POLICY_SET1 + i);
		mnl_attr_put_strz(nlh, NFCTH_POLICY_NAME, p->name);
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_MAX,
				 htonl(p->expect_max));
		mnl_attr_put_u32(nlh, NFCTH_POLICY_EXPECT_TIMEOUT,
				 htonl(p->expect_timeout));
		mnl_attr_nest_end(nlh, set);
	}
	mnl_attr_nest_end(nlh, nest);
}

void cth_put(struct nlmsghdr *nlh, const struct cth_helper *h)
{
	struct nlattr *nest;

	if (h->attrs & CTH_A_NAME)
		mnl_attr_put_strz(nlh, NFCTH_NAME, h->name);
	if (h->attrs & CTH_A_TUPLE) {
		nest = mnl_attr_nest_start(nlh, NFCTH_TUPLE);
		mnl_attr_put_u16(nlh, NFCTH_TUPLE_L3PROTONUM, htons(h->l3num));
		mnl_attr_put_u8(nlh, NFCTH_TUPLE_L4PROTONUM, h->l4num);
		mnl_attr_nest_end(nlh, nest);
	}
	if (h->attrs & CTH_A_QUEUE)
		mnl_attr_put_u32(nlh, NFCTH_QUEUE_NUM, htonl(h->queue));
	if (h->attrs & CTH_A_POLICY)
		cth_put_policy(nlh, h);
	if (h->attrs & CTH_A_PRIV)
		mnl_attr_put_u32(nlh, NFCTH_PRIV_DATA_LEN, htonl(h->priv_len));
	if (h->attrs & CTH_A_STATUS)
		mnl_attr_put_u32(nlh, NFCTH_STATUS, htonl(h->status));
	if (h->attrs & CTH_A_FLAGS)
		mnl_attr_put_u32(nlh, NFCTH_FLAGS, htonl(h->flags));
}

/* Collects the attributes of one nest (or of the message) by type, ignoring
 * types we do not know so that newer kernels do not break the test.
 */
struct attrs {
	const struct nlattr *tb[16];
};

static int collect_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;
	int type = mnl_attr_get_type(attr);

	if (type < 16)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

static void collect_nest(const struct nlattr *nest, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	mnl_attr_parse_nested(nest, collect_cb, a);
}

static uint32_t get_be32(const struct nlattr *attr)
{
	return attr && mnl_attr_get_payload_len(attr) >= 4 ?
		ntohl(mnl_attr_get_u32(attr)) : 0;
}

static void cth_parse_policy(const struct nlattr *nest, struct cth_helper *h)
{
	struct attrs pol, set;
	int i;

	collect_nest(nest, &pol);
	h->set_num = get_be32(pol.tb[NFCTH_POLICY_SET_NUM]);
	for (i = 0; i < CTH_MAX_CLASSES; i++) {
		struct cth_policy *p = &h->policy[i];

		if (!pol.tb[NFCTH_POLICY_SET1 + i])
			continue;
		h->sets |= 1U << i;
		collect_nest(pol.tb[NFCTH_POLICY_SET1 + i], &set);
		if (set.tb[NFCTH_POLICY_NAME])
			snprintf(p->name, sizeof(p->name), "%s",
				 mnl_attr_get_str(set.tb[NFCTH_POLICY_NAME]));
		p->expect_max = get_be32(set.tb[NFCTH_POLICY_EXPECT_MAX]);
		p->expect_timeout = get_be32(set.tb[NFCTH_POLICY_EXPECT_TIMEOUT]);
	}
}

int cth_parse_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cth_helper *h = data;
	struct attrs a = {}, tuple;

	memset(h, 0, sizeof(*h));
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), collect_cb, &a);
	if (a.tb[NFCTH_NAME]) {
		h->attrs |= CTH_A_NAME;
		snprintf(h->name, sizeof(h->name), "%s",
			 mnl_attr_get_str(a.tb[NFCTH_NAME]));
	}
	if (a.tb[NFCTH_TUPLE]) {
		h->attrs |= CTH_A_TUPLE;
		collect_nest(a.tb[NFCTH_TUPLE], &tuple);
		if (tuple.tb[NFCTH_TUPLE_L3PROTONUM])
			h->l3num = ntohs(mnl_attr_get_u16(tuple.tb[NFCTH_TUPLE_L3PROTONUM]));
		if (tuple.tb[NFCTH_TUPLE_L4PROTONUM])
			h->l4num = mnl_attr_get_u8(tuple.tb[NFCTH_TUPLE_L4PROTONUM]);
	}
	if (a.tb[NFCTH_QUEUE_NUM]) {
		h->attrs |= CTH_A_QUEUE;
		h->queue = get_be32(a.tb[NFCTH_QUEUE_NUM]);
	}
	if (a.tb[NFCTH_POLICY]) {
		h->attrs |= CTH_A_POLICY;
		cth_parse_policy(a.tb[NFCTH_POLICY], h);
	}
	if (a.tb[NFCTH_PRIV_DATA_LEN]) {
		h->attrs |= CTH_A_PRIV;
		h->priv_len = get_be32(a.tb[NFCTH_PRIV_DATA_LEN]);
	}
	if (a.tb[NFCTH_STATUS]) {
		h->attrs |= CTH_A_STATUS;
		h->status = get_be32(a.tb[NFCTH_STATUS]);
	}
	if (a.tb[NFCTH_FLAGS]) {
		h->attrs |= CTH_A_FLAGS;
		h->flags = get_be32(a.tb[NFCTH_FLAGS]);
	}
	return MNL_CB_OK;
}

int cth_new(struct mnl_socket *nl, const struct cth_helper *h,
	    uint16_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_NEW,
		       flags, AF_UNSPEC, 0);
	cth_put(nlh, h);
	return nl_talk(nl, nlh, NULL, NULL);
}

int cth_get(struct mnl_socket *nl, const char *name, struct cth_helper *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(out, 0, sizeof(*out));
	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_GET,
		       0, AF_UNSPEC, 0);
	mnl_attr_put_strz(nlh, NFCTH_NAME, name);
	return nl_talk(nl, nlh, cth_parse_cb, out);
}

int cth_del(struct mnl_socket *nl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfnl_msg(buf, NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_DEL,
		       0, AF_UNSPEC, 0);
	if (name)
		mnl_attr_put_strz(nlh, NFCTH_NAME, name);
	return nl_talk(nl, nlh, NULL, NULL);
}
