// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * (C) 2012 Pablo Neira Ayuso <pablo@netfilter.org>
 *
 * This software has been sponsored by Vyatta Inc. <http://www.vyatta.com>
 *
 * (C) 2026 Seed b6474eca maintainers <maintainers@users.noreply.r-seed-b6474eca.example>
 *	per-namespace helpers run from a helper hook
 *
 * User-space connection tracking helpers.
 *
 * A helper registered here has no code in the kernel: the packets of the
 * connections it is attached to are queued to nfnetlink_queue, and the
 * program reading the queue creates the expectations. Helpers belong to
 * the network namespace they were registered in.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysctl.h>
#include <linux/tcp.h>
#include <linux/workqueue.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_seqadj.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_cthelper.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Pablo Neira Ayuso <pablo@netfilter.org>");
MODULE_DESCRIPTION("nfnl_cthelper: User-space connection tracking helpers");

#define NFNL_CTHELPER_DATA_MAX	sizeof_field(struct nf_conn_help, data)

struct nfnl_cthelper {
	struct list_head		list;		/* registered, RCU */
	struct list_head		purge_list;
	struct nf_conntrack_helper	helper;
	struct nf_conntrack_expect_policy policy[NF_CT_MAX_EXPECT_CLASSES];
	u32				user_flags;	/* NFCTH_F_* */
};

struct nfnl_cthelper_net {
	/* Registered helpers: changed by requests under the nfnl mutex,
	 * read by dumps under RCU.
	 */
	struct list_head	helpers;
	unsigned int		count;

	/* The helper hooks, registered with the first helper, stay until the
	 * namespace goes: unregistering a hook drops every packet queued in
	 * the namespace, those of other programs' queues too.
	 */
	bool			hooks_registered;

	/* Unlinked helpers waiting to be purged and freed. */
	spinlock_t		unlinked_lock;
	struct list_head	unlinked;
	struct work_struct	purge_work;
};

static unsigned int nfnl_cthelper_net_id __read_mostly;

/* How many user-space helpers one namespace may register. Set from the
 * initial namespace only (net.netfilter.nf_conntrack_userspace_helpers_max):
 * a container must not raise its own limit.
 */
static unsigned int nfnl_cthelper_max __read_mostly = 64;

static struct nfnl_cthelper_net *nfnl_cthelper_pernet(struct net *net)
{
	return net_generic(net, nfnl_cthelper_net_id);
}

static struct nfnl_cthelper *to_nfnl_cthelper(const struct nf_conntrack_helper *h)
{
	return container_of(h, struct nfnl_cthelper, helper);
}

static unsigned int
nfnl_cthelper_verdict(const struct nf_conntrack_helper *helper)
{
	unsigned int flags = READ_ONCE(helper->flags);
	unsigned int verdict;

	/* Registered but not enabled yet: nobody is ready to help. */
	if (!(flags & NF_CT_HELPER_F_CONFIGURED))
		return NF_ACCEPT;

	verdict = NF_QUEUE_NR(READ_ONCE(helper->queue_num));
	if (!(READ_ONCE(to_nfnl_cthelper(helper)->user_flags) &
	      NFCTH_F_FAIL_CLOSED))
		verdict |= NF_VERDICT_FLAG_QUEUE_BYPASS;

	return verdict;
}

static int nfnl_cthelper_help(struct sk_buff *skb, unsigned int protoff,
			      struct nf_conn *ct, enum ip_conntrack_info ctinfo)
{
	const struct nf_conntrack_helper *helper;
	const struct nf_conn_help *help;

	help = nfct_help(ct);
	if (!help)
		return NF_ACCEPT;

	helper = rcu_dereference(help->helper);
	if (!helper)
		return NF_ACCEPT;

	return nfnl_cthelper_verdict(helper);
}

/* Helpers parse payload: a TCP segment without any (handshake, pure ACK,
 * FIN) would make the round trip to user space for nothing. On the hooks
 * the packet is already defragmented and its headers were validated by
 * conntrack.
 */
static bool nfnl_cthelper_tcp_no_payload(const struct sk_buff *skb, u8 pf)
{
	const struct tcphdr *th;
	struct tcphdr _th;
	int protoff;

	switch (pf) {
	case NFPROTO_IPV4:
		protoff = skb_network_offset(skb) + ip_hdrlen(skb);
		break;
#if IS_ENABLED(CONFIG_IPV6)
	case NFPROTO_IPV6: {
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		__be16 frag_off;

		protoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
					   sizeof(struct ipv6hdr),
					   &nexthdr, &frag_off);
		if (protoff < 0 || nexthdr != IPPROTO_TCP)
			return false;
		break;
	}
#endif
	default:
		return false;
	}

	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	return th && protoff + th->doff * 4 >= skb->len;
}

/* The packets nf_confirm() runs no helper on: those leaving through a VRF
 * device's POST_ROUTING (they pass it again through the real device) and
 * IPv6 fragments other than the first.
 */
static bool nfnl_cthelper_skip(const struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
#if IS_ENABLED(CONFIG_NET_L3_MASTER_DEV)
	if (state->hook == NF_INET_POST_ROUTING &&
	    netif_is_l3_master(state->out))
		return true;
#endif
#if IS_ENABLED(CONFIG_IPV6)
	if (state->pf == NFPROTO_IPV6) {
		u8 nexthdr = ipv6_hdr(skb)->nexthdr;
		__be16 frag_off;

		if (ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				     sizeof(struct ipv6hdr),
				     &nexthdr, &frag_off) < 0 ||
		    (frag_off & htons(~0x7)))
			return true;
	}
#endif
	return false;
}

/* Runs before the confirm hook, so that a packet that user space reinjects
 * (or that bypasses an empty queue) is still seq-adjusted and confirmed.
 */
static unsigned int nfnl_cthelper_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct nf_conntrack_helper *helper;
	const struct nf_conn_help *help;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo == IP_CT_RELATED_REPLY ||
	    nfnl_cthelper_skip(skb, state))
		return NF_ACCEPT;

	help = nfct_help(ct);
	if (!help)
		return NF_ACCEPT;

	helper = rcu_dereference(help->helper);
	if (!helper || !(READ_ONCE(helper->flags) & NF_CT_HELPER_F_USERSPACE))
		return NF_ACCEPT;

	/* User space may change the length of a TCP payload, with or without
	 * NAT; the extension can only be added before confirmation. Without
	 * it such a change would break the connection: drop the packet (it
	 * is sent again) rather than lose sequence adjustment silently.
	 */
	if (nf_ct_protonum(ct) == IPPROTO_TCP && !nf_ct_is_confirmed(ct) &&
	    !nfct_seqadj(ct) && !nfct_seqadj_ext_add(ct)) {
		nf_ct_helper_log(skb, ct, "cannot add sequence adjustment");
		return NF_DROP;
	}

	if (nf_ct_protonum(ct) == IPPROTO_TCP &&
	    !(READ_ONCE(to_nfnl_cthelper(helper)->user_flags) &
	      NFCTH_F_ALL_SEGMENTS) &&
	    nfnl_cthelper_tcp_no_payload(skb, state->pf))
		return NF_ACCEPT;

	return nfnl_cthelper_verdict(helper);
}

static const struct nf_hook_ops nfnl_cthelper_hook_ops[] = {
	{
		.hook		= nfnl_cthelper_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER,
	},
	{
		.hook		= nfnl_cthelper_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_CONNTRACK_HELPER,
	},
#if IS_ENABLED(CONFIG_IPV6)
	{
		.hook		= nfnl_cthelper_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_POST_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER,
	},
	{
		.hook		= nfnl_cthelper_hook,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_CONNTRACK_HELPER,
	},
#endif
};

static int nfnl_cthelper_from_nlattr(struct nlattr *attr, struct nf_conn *ct)
{
	struct nf_conn_help *help = nfct_help(ct);
	const struct nf_conntrack_helper *helper;

	/* CTA_HELP without CTA_HELP_INFO: nothing to update. */
	if (!attr)
		return 0;

	helper = rcu_dereference(help->helper);
	if (!helper || nla_len(attr) > helper->data_len)
		return -EINVAL;

	nla_memcpy(help->data, attr, helper->data_len);
	return 0;
}

static int nfnl_cthelper_to_nlattr(struct sk_buff *skb, const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);
	const struct nf_conntrack_helper *helper;

	helper = rcu_dereference(help->helper);
	if (helper && helper->data_len &&
	    nla_put(skb, CTA_HELP_INFO, helper->data_len, &help->data))
		return -ENOSPC;

	return 0;
}

/* A request, parsed and validated before anything is changed. */
struct nfnl_cthelper_req {
	const char			*name;
	struct nf_conntrack_tuple	tuple;
	bool				has_tuple;
	unsigned int			nr_classes;	/* 0: no POLICY */
	struct nf_conntrack_expect_policy policy[NF_CT_MAX_EXPECT_CLASSES];
};

static const struct nla_policy nfnl_cthelper_tuple_policy[NFCTH_TUPLE_MAX + 1] = {
	[NFCTH_TUPLE_L3PROTONUM]	= { .type = NLA_BE16 },
	[NFCTH_TUPLE_L4PROTONUM]	= NLA_POLICY_MIN(NLA_U8, 1),
};

static int nfnl_cthelper_parse_tuple(struct nf_conntrack_tuple *tuple,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFCTH_TUPLE_MAX + 1];
	u16 l3num;
	int err;

	err = nla_parse_nested_deprecated(tb, NFCTH_TUPLE_MAX, attr,
					  nfnl_cthelper_tuple_policy, extack);
	if (err < 0)
		return err;

	if (!tb[NFCTH_TUPLE_L3PROTONUM] || !tb[NFCTH_TUPLE_L4PROTONUM])
		return -EINVAL;

	l3num = ntohs(nla_get_be16(tb[NFCTH_TUPLE_L3PROTONUM]));
	if (l3num != NFPROTO_IPV4 && l3num != NFPROTO_IPV6) {
		NL_SET_ERR_MSG_ATTR(extack, tb[NFCTH_TUPLE_L3PROTONUM],
				    "layer 3 protocol must be IPv4 or IPv6");
		return -EINVAL;
	}

	memset(tuple, 0, sizeof(*tuple));
	tuple->src.l3num = l3num;
	tuple->dst.protonum = nla_get_u8(tb[NFCTH_TUPLE_L4PROTONUM]);
	return 0;
}

static const struct nla_policy nfnl_cthelper_class_policy[NFCTH_POLICY_MAX + 1] = {
	[NFCTH_POLICY_NAME]		= { .type = NLA_NUL_STRING,
					    .len = NF_CT_HELPER_NAME_LEN - 1 },
	/* 0, as upstream: no limit per connection (the namespace's
	 * nf_conntrack_expect_max still applies).
	 */
	[NFCTH_POLICY_EXPECT_MAX]	= NLA_POLICY_MAX(NLA_BE32,
							 NF_CT_EXPECT_MAX_CNT),
	[NFCTH_POLICY_EXPECT_TIMEOUT]	= { .type = NLA_BE32 },
};

static int nfnl_cthelper_parse_class(struct nf_conntrack_expect_policy *policy,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFCTH_POLICY_MAX + 1];
	int err;

	err = nla_parse_nested_deprecated(tb, NFCTH_POLICY_MAX, attr,
					  nfnl_cthelper_class_policy, extack);
	if (err < 0)
		return err;

	if (!tb[NFCTH_POLICY_NAME] || !tb[NFCTH_POLICY_EXPECT_MAX] ||
	    !tb[NFCTH_POLICY_EXPECT_TIMEOUT])
		return -EINVAL;

	nla_strscpy(policy->name, tb[NFCTH_POLICY_NAME], sizeof(policy->name));
	policy->max_expected = ntohl(nla_get_be32(tb[NFCTH_POLICY_EXPECT_MAX]));
	policy->timeout = ntohl(nla_get_be32(tb[NFCTH_POLICY_EXPECT_TIMEOUT]));
	return 0;
}

static const struct nla_policy nfnl_cthelper_policy_set[NFCTH_POLICY_SET_MAX + 1] = {
	[NFCTH_POLICY_SET_NUM]	= NLA_POLICY_RANGE(NLA_BE32, 1,
						   NF_CT_MAX_EXPECT_CLASSES),
	[NFCTH_POLICY_SET1]	= { .type = NLA_NESTED },
	[NFCTH_POLICY_SET2]	= { .type = NLA_NESTED },
	[NFCTH_POLICY_SET3]	= { .type = NLA_NESTED },
	[NFCTH_POLICY_SET4]	= { .type = NLA_NESTED },
};

static int nfnl_cthelper_parse_policy(struct nfnl_cthelper_req *req,
				      const struct nlattr *attr,
				      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[NFCTH_POLICY_SET_MAX + 1];
	unsigned int i, nr_classes;
	int err;

	err = nla_parse_nested_deprecated(tb, NFCTH_POLICY_SET_MAX, attr,
					  nfnl_cthelper_policy_set, extack);
	if (err < 0)
		return err;

	if (!tb[NFCTH_POLICY_SET_NUM])
		return -EINVAL;

	nr_classes = ntohl(nla_get_be32(tb[NFCTH_POLICY_SET_NUM]));
	for (i = 0; i < nr_classes; i++) {
		if (!tb[NFCTH_POLICY_SET + i]) {
			NL_SET_ERR_MSG(extack, "missing expectation policy");
			return -EINVAL;
		}
		err = nfnl_cthelper_parse_class(&req->policy[i],
						tb[NFCTH_POLICY_SET + i],
						extack);
		if (err < 0)
			return err;
	}
	req->nr_classes = nr_classes;
	return 0;
}

static int nfnl_cthelper_parse(struct nfnl_cthelper_req *req,
			       const struct nlattr * const tb[],
			       struct netlink_ext_ack *extack)
{
	int err;

	memset(req, 0, sizeof(*req));
	if (tb[NFCTH_NAME])
		req->name = nla_data(tb[NFCTH_NAME]);

	if (tb[NFCTH_TUPLE]) {
		err = nfnl_cthelper_parse_tuple(&req->tuple, tb[NFCTH_TUPLE],
						extack);
		if (err < 0)
			return err;
		req->has_tuple = true;
	}

	if (tb[NFCTH_POLICY])
		return nfnl_cthelper_parse_policy(req, tb[NFCTH_POLICY], extack);

	return 0;
}

static bool nfnl_cthelper_match(const struct nf_conntrack_helper *helper,
				const struct nfnl_cthelper_req *req)
{
	if (req->name && strcmp(helper->name, req->name))
		return false;

	return !req->has_tuple ||
	       (helper->tuple.src.l3num == req->tuple.src.l3num &&
		helper->tuple.dst.protonum == req->tuple.dst.protonum);
}

static void nfnl_cthelper_set_status(struct nf_conntrack_helper *helper,
				     const struct nlattr *attr)
{
	unsigned int flags = helper->flags;

	if (ntohl(nla_get_be32(attr)) == NFCT_HELPER_STATUS_ENABLED)
		flags |= NF_CT_HELPER_F_CONFIGURED;
	else
		flags &= ~NF_CT_HELPER_F_CONFIGURED;

	WRITE_ONCE(helper->flags, flags);
}

static void nfnl_cthelper_set_fields(struct nfnl_cthelper *nlcth,
				     const struct nlattr * const tb[])
{
	struct nf_conntrack_helper *helper = &nlcth->helper;

	if (tb[NFCTH_QUEUE_NUM])
		WRITE_ONCE(helper->queue_num,
			   ntohl(nla_get_be32(tb[NFCTH_QUEUE_NUM])));
	if (tb[NFCTH_STATUS])
		nfnl_cthelper_set_status(helper, tb[NFCTH_STATUS]);
	if (tb[NFCTH_FLAGS])
		WRITE_ONCE(nlcth->user_flags,
			   ntohl(nla_get_be32(tb[NFCTH_FLAGS])));
}

/* Called by the last nf_conntrack_helper_put() of a helper whose namespace
 * went away while rules held it (nfnl_cthelper_net_exit()).
 */
static void nfnl_cthelper_release(struct nf_conntrack_helper *helper)
{
	kfree(to_nfnl_cthelper(helper));
}

static int nfnl_cthelper_create(struct net *net,
				const struct nfnl_cthelper_req *req,
				const struct nlattr * const tb[],
				struct netlink_ext_ack *extack)
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(net);
	struct nf_conntrack_helper *helper;
	struct nfnl_cthelper *nlcth;
	int err;

	if (!req->has_tuple || !req->nr_classes || !tb[NFCTH_PRIV_DATA_LEN])
		return -EINVAL;

	if (cnet->count >= READ_ONCE(nfnl_cthelper_max)) {
		NL_SET_ERR_MSG(extack,
			       "too many user-space helpers in this namespace");
		return -ENOSPC;
	}

	nlcth = kzalloc(sizeof(*nlcth), GFP_KERNEL_ACCOUNT);
	if (!nlcth)
		return -ENOMEM;

	helper = &nlcth->helper;
	strscpy(helper->name, req->name, sizeof(helper->name));
	helper->tuple = req->tuple;
	helper->net = net;
	helper->me = THIS_MODULE;
	helper->flags = NF_CT_HELPER_F_USERSPACE;
	helper->help = nfnl_cthelper_help;
	helper->from_nlattr = nfnl_cthelper_from_nlattr;
	helper->to_nlattr = nfnl_cthelper_to_nlattr;
	helper->release = nfnl_cthelper_release;
	helper->data_len = ntohl(nla_get_be32(tb[NFCTH_PRIV_DATA_LEN]));
	memcpy(nlcth->policy, req->policy, sizeof(nlcth->policy));
	helper->expect_policy = nlcth->policy;
	helper->expect_class_max = req->nr_classes - 1;
	nfnl_cthelper_set_fields(nlcth, tb);

	if (!cnet->hooks_registered) {
		err = nf_register_net_hooks(net, nfnl_cthelper_hook_ops,
					    ARRAY_SIZE(nfnl_cthelper_hook_ops));
		if (err < 0)
			goto err_free;
		cnet->hooks_registered = true;
	}

	err = nf_conntrack_helper_register(helper);
	if (err < 0) {
		if (err == -EBUSY)
			NL_SET_ERR_MSG(extack,
				       "another helper owns this name and protocol");
		goto err_free;
	}

	list_add_tail_rcu(&nlcth->list, &cnet->helpers);
	cnet->count++;
	return 0;

err_free:
	kfree(nlcth);
	return err;
}

static int nfnl_cthelper_update(struct nfnl_cthelper *nlcth,
				const struct nfnl_cthelper_req *req,
				const struct nlattr * const tb[],
				struct netlink_ext_ack *extack)
{
	struct nf_conntrack_helper *helper = &nlcth->helper;
	unsigned int i;

	/* Conntracks and expectations in flight depend on these. */
	if (tb[NFCTH_PRIV_DATA_LEN] &&
	    ntohl(nla_get_be32(tb[NFCTH_PRIV_DATA_LEN])) != helper->data_len) {
		NL_SET_ERR_MSG(extack, "private data length cannot change");
		return -EBUSY;
	}
	if (req->nr_classes) {
		if (req->nr_classes != helper->expect_class_max + 1) {
			NL_SET_ERR_MSG(extack, "class count cannot change");
			return -EBUSY;
		}
		for (i = 0; i < req->nr_classes; i++) {
			if (strcmp(req->policy[i].name, nlcth->policy[i].name)) {
				NL_SET_ERR_MSG(extack,
					       "policy name cannot change");
				return -EBUSY;
			}
		}
	}

	for (i = 0; i < req->nr_classes; i++) {
		WRITE_ONCE(nlcth->policy[i].max_expected,
			   req->policy[i].max_expected);
		WRITE_ONCE(nlcth->policy[i].timeout, req->policy[i].timeout);
	}
	nfnl_cthelper_set_fields(nlcth, tb);
	return 0;
}

static int nfnl_cthelper_new(struct sk_buff *skb, const struct nfnl_info *info,
			     const struct nlattr * const tb[])
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(info->net);
	struct netlink_ext_ack *extack = info->extack;
	struct nfnl_cthelper_req req;
	struct nfnl_cthelper *nlcth;
	int err;

	if (!tb[NFCTH_NAME] || !tb[NFCTH_TUPLE])
		return -EINVAL;

	err = nfnl_cthelper_parse(&req, tb, extack);
	if (err < 0)
		return err;

	list_for_each_entry(nlcth, &cnet->helpers, list) {
		if (!nfnl_cthelper_match(&nlcth->helper, &req))
			continue;

		if (info->nlh->nlmsg_flags & NLM_F_EXCL)
			return -EEXIST;

		return nfnl_cthelper_update(nlcth, &req, tb, extack);
	}

	/* Like ctnetlink, old clients create without NLM_F_CREATE. */
	return nfnl_cthelper_create(info->net, &req, tb, extack);
}

static int nfnl_cthelper_dump_tuple(struct sk_buff *skb,
				    const struct nf_conntrack_helper *helper)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, NFCTH_TUPLE);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_be16(skb, NFCTH_TUPLE_L3PROTONUM,
			 htons(helper->tuple.src.l3num)) ||
	    nla_put_u8(skb, NFCTH_TUPLE_L4PROTONUM, helper->tuple.dst.protonum))
		return -EMSGSIZE;

	nla_nest_end(skb, nest);
	return 0;
}

static int nfnl_cthelper_dump_policy(struct sk_buff *skb,
				     const struct nf_conntrack_helper *helper)
{
	const struct nf_conntrack_expect_policy *policy;
	struct nlattr *nest, *class;
	unsigned int i;

	nest = nla_nest_start(skb, NFCTH_POLICY);
	if (!nest)
		return -EMSGSIZE;

	if (nla_put_be32(skb, NFCTH_POLICY_SET_NUM,
			 htonl(helper->expect_class_max + 1)))
		return -EMSGSIZE;

	for (i = 0; i <= helper->expect_class_max; i++) {
		policy = &helper->expect_policy[i];

		class = nla_nest_start(skb, NFCTH_POLICY_SET + i);
		if (!class)
			return -EMSGSIZE;

		if (nla_put_string(skb, NFCTH_POLICY_NAME, policy->name) ||
		    nla_put_be32(skb, NFCTH_POLICY_EXPECT_MAX,
				 htonl(READ_ONCE(policy->max_expected))) ||
		    nla_put_be32(skb, NFCTH_POLICY_EXPECT_TIMEOUT,
				 htonl(READ_ONCE(policy->timeout))))
			return -EMSGSIZE;

		nla_nest_end(skb, class);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nfnl_cthelper_fill_info(struct sk_buff *skb, u32 portid, u32 seq,
				   unsigned int flags,
				   const struct nfnl_cthelper *nlcth)
{
	const struct nf_conntrack_helper *helper = &nlcth->helper;
	u32 status = NFCT_HELPER_STATUS_DISABLED;
	struct nlmsghdr *nlh;
	u32 user_flags;
	u16 event;

	event = nfnl_msg_type(NFNL_SUBSYS_CTHELPER, NFNL_MSG_CTHELPER_NEW);
	nlh = nfnl_msg_put(skb, portid, seq, event, flags, AF_UNSPEC,
			   NFNETLINK_V0, 0);
	if (!nlh)
		return -EMSGSIZE;

	if (READ_ONCE(helper->flags) & NF_CT_HELPER_F_CONFIGURED)
		status = NFCT_HELPER_STATUS_ENABLED;

	if (nla_put_string(skb, NFCTH_NAME, helper->name) ||
	    nla_put_be32(skb, NFCTH_QUEUE_NUM,
			 htonl(READ_ONCE(helper->queue_num))) ||
	    nfnl_cthelper_dump_tuple(skb, helper) ||
	    nfnl_cthelper_dump_policy(skb, helper) ||
	    nla_put_be32(skb, NFCTH_PRIV_DATA_LEN, htonl(helper->data_len)) ||
	    nla_put_be32(skb, NFCTH_STATUS, htonl(status)))
		goto nla_put_failure;

	/* Only when set, so that replies stay as old clients know them. */
	user_flags = READ_ONCE(nlcth->user_flags);
	if (user_flags && nla_put_be32(skb, NFCTH_FLAGS, htonl(user_flags)))
		goto nla_put_failure;

	nlmsg_end(skb, nlh);
	return 0;

nla_put_failure:
	nlmsg_cancel(skb, nlh);
	return -EMSGSIZE;
}

/* cb->args[0] counts the helpers already sent. */
static int nfnl_cthelper_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(sock_net(skb->sk));
	const struct nfnl_cthelper *nlcth;
	unsigned long idx = 0;

	rcu_read_lock();
	list_for_each_entry_rcu(nlcth, &cnet->helpers, list) {
		if (idx++ < cb->args[0])
			continue;
		if (nfnl_cthelper_fill_info(skb, NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI,
					    nlcth) < 0) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();

	cb->args[0] = idx;
	return skb->len;
}

static int nfnl_cthelper_get(struct sk_buff *skb, const struct nfnl_info *info,
			     const struct nlattr * const tb[])
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(info->net);
	const struct nfnl_cthelper *nlcth;
	struct nfnl_cthelper_req req;
	struct sk_buff *reply;
	int err;

	if (info->nlh->nlmsg_flags & NLM_F_DUMP) {
		struct netlink_dump_control c = {
			.dump = nfnl_cthelper_dump,
		};

		return netlink_dump_start(info->sk, skb, info->nlh, &c);
	}

	if (!tb[NFCTH_NAME])
		return -EINVAL;

	err = nfnl_cthelper_parse(&req, tb, info->extack);
	if (err < 0)
		return err;

	list_for_each_entry(nlcth, &cnet->helpers, list) {
		if (!nfnl_cthelper_match(&nlcth->helper, &req))
			continue;

		reply = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
		if (!reply)
			return -ENOMEM;

		err = nfnl_cthelper_fill_info(reply, NETLINK_CB(skb).portid,
					      info->nlh->nlmsg_seq, 0, nlcth);
		if (err < 0) {
			kfree_skb(reply);
			return err;
		}
		return nfnetlink_unicast(reply, info->net,
					 NETLINK_CB(skb).portid);
	}
	return -ENOENT;
}

static void nfnl_cthelper_purge_work(struct work_struct *work)
{
	struct nfnl_cthelper_net *cnet;
	struct nfnl_cthelper *nlcth, *next;
	struct net *net;
	LIST_HEAD(purge);

	cnet = container_of(work, struct nfnl_cthelper_net, purge_work);
	spin_lock_bh(&cnet->unlinked_lock);
	list_splice_init(&cnet->unlinked, &purge);
	spin_unlock_bh(&cnet->unlinked_lock);

	if (list_empty(&purge))
		return;

	net = list_first_entry(&purge, struct nfnl_cthelper,
			       purge_list)->helper.net;
	nf_conntrack_helpers_purge_net(net);

	list_for_each_entry_safe(nlcth, next, &purge, purge_list)
		kfree(nlcth);
}

/* Take the helper out of service now; freeing it waits for RCU and a walk
 * of the namespace's conntracks (nf_conntrack_helpers_purge_net()).
 */
static void nfnl_cthelper_unlink(struct net *net, struct nfnl_cthelper *nlcth)
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(net);

	nf_conntrack_helper_unlink(&nlcth->helper);
	list_del_rcu(&nlcth->list);
	cnet->count--;
}

static int nfnl_cthelper_del(struct sk_buff *skb, const struct nfnl_info *info,
			     const struct nlattr * const tb[])
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(info->net);
	struct nfnl_cthelper *nlcth, *next;
	struct nfnl_cthelper_req req;
	bool deleted = false, busy = false;
	int err;

	err = nfnl_cthelper_parse(&req, tb, info->extack);
	if (err < 0)
		return err;

	list_for_each_entry_safe(nlcth, next, &cnet->helpers, list) {
		if (!nfnl_cthelper_match(&nlcth->helper, &req))
			continue;

		/* The table holds one reference; rules hold the others. */
		if (!refcount_dec_if_one(&nlcth->helper.refcnt)) {
			busy = true;
			continue;
		}
		/* The purge and the free are left to a work item, which does
		 * them for many helpers at once instead of blocking this
		 * request and everybody behind it.
		 */
		nfnl_cthelper_unlink(info->net, nlcth);
		spin_lock_bh(&cnet->unlinked_lock);
		list_add_tail(&nlcth->purge_list, &cnet->unlinked);
		spin_unlock_bh(&cnet->unlinked_lock);
		deleted = true;
	}

	if (deleted)
		queue_work(system_unbound_wq, &cnet->purge_work);

	/* As upstream: success if anything was deleted, EBUSY if all that
	 * matched is in use (a flush too), and a flush of nothing succeeds.
	 */
	if (deleted)
		return 0;
	if (busy) {
		NL_SET_ERR_MSG(info->extack, "helper is in use by a rule");
		return -EBUSY;
	}
	return req.name ? -ENOENT : 0;
}

static const struct netlink_range_validation nfnl_cthelper_queue_range = {
	.max = U16_MAX,
};

static const struct nla_policy nfnl_cthelper_policy[NFCTH_MAX + 1] = {
	[NFCTH_NAME]		= { .type = NLA_NUL_STRING,
				    .len = NF_CT_HELPER_NAME_LEN - 1 },
	[NFCTH_TUPLE]		= { .type = NLA_NESTED },
	[NFCTH_QUEUE_NUM]	= NLA_POLICY_FULL_RANGE(NLA_BE32,
							&nfnl_cthelper_queue_range),
	[NFCTH_POLICY]		= { .type = NLA_NESTED },
	[NFCTH_PRIV_DATA_LEN]	= NLA_POLICY_MAX(NLA_BE32, NFNL_CTHELPER_DATA_MAX),
	[NFCTH_STATUS]		= NLA_POLICY_MAX(NLA_BE32,
						 NFCT_HELPER_STATUS_ENABLED),
	[NFCTH_FLAGS]		= NLA_POLICY_MASK(NLA_BE32, NFCTH_F_FAIL_CLOSED |
							NFCTH_F_ALL_SEGMENTS),
};

static const struct nfnl_callback nfnl_cthelper_cb[NFNL_MSG_CTHELPER_MAX] = {
	[NFNL_MSG_CTHELPER_NEW]	= {
		.call		= nfnl_cthelper_new,
		.type		= NFNL_CB_MUTEX,
		.attr_count	= NFCTH_MAX,
		.policy		= nfnl_cthelper_policy
	},
	[NFNL_MSG_CTHELPER_GET] = {
		.call		= nfnl_cthelper_get,
		.type		= NFNL_CB_MUTEX,
		.attr_count	= NFCTH_MAX,
		.policy		= nfnl_cthelper_policy
	},
	[NFNL_MSG_CTHELPER_DEL]	= {
		.call		= nfnl_cthelper_del,
		.type		= NFNL_CB_MUTEX,
		.attr_count	= NFCTH_MAX,
		.policy		= nfnl_cthelper_policy
	},
};

static const struct nfnetlink_subsystem nfnl_cthelper_subsys = {
	.name		= "cthelper",
	.subsys_id	= NFNL_SUBSYS_CTHELPER,
	.cb_count	= NFNL_MSG_CTHELPER_MAX,
	.cb		= nfnl_cthelper_cb,
};

MODULE_ALIAS_NFNL_SUBSYS(NFNL_SUBSYS_CTHELPER);

static int __net_init nfnl_cthelper_net_init(struct net *net)
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(net);

	INIT_LIST_HEAD(&cnet->helpers);
	INIT_LIST_HEAD(&cnet->unlinked);
	spin_lock_init(&cnet->unlinked_lock);
	INIT_WORK(&cnet->purge_work, nfnl_cthelper_purge_work);
	return 0;
}

/* No request, and so no lookup, can reach a namespace on its way out, but
 * its rules may still hold helpers: pernet exit methods run in reverse
 * order of registration, so nf_tables and x_tables destroy their rules
 * after this when nfnetlink_cthelper was loaded after them. Purge every
 * helper as a deleted one, then drop the table's reference: the last rule
 * to let go of a helper frees it (nfnl_cthelper_release()).
 */
static void __net_exit nfnl_cthelper_net_exit(struct net *net)
{
	struct nfnl_cthelper_net *cnet = nfnl_cthelper_pernet(net);
	struct nfnl_cthelper *nlcth, *next;
	LIST_HEAD(deleted);
	LIST_HEAD(held);

	cancel_work_sync(&cnet->purge_work);
	spin_lock_bh(&cnet->unlinked_lock);
	list_splice_init(&cnet->unlinked, &deleted);
	spin_unlock_bh(&cnet->unlinked_lock);

	list_for_each_entry_safe(nlcth, next, &cnet->helpers, list) {
		nfnl_cthelper_unlink(net, nlcth);
		list_add_tail(&nlcth->purge_list, &held);
	}
	if (cnet->hooks_registered)
		nf_unregister_net_hooks(net, nfnl_cthelper_hook_ops,
					ARRAY_SIZE(nfnl_cthelper_hook_ops));

	if (list_empty(&deleted) && list_empty(&held))
		return;

	nf_conntrack_helpers_purge_net(net);

	list_for_each_entry_safe(nlcth, next, &deleted, purge_list)
		kfree(nlcth);
	list_for_each_entry_safe(nlcth, next, &held, purge_list) {
		if (refcount_dec_and_test(&nlcth->helper.refcnt))
			kfree(nlcth);
	}
}

static struct pernet_operations nfnl_cthelper_net_ops = {
	.init	= nfnl_cthelper_net_init,
	.exit	= nfnl_cthelper_net_exit,
	.id	= &nfnl_cthelper_net_id,
	.size	= sizeof(struct nfnl_cthelper_net),
};

#ifdef CONFIG_SYSCTL
static struct ctl_table nfnl_cthelper_sysctl[] = {
	{
		.procname	= "nf_conntrack_userspace_helpers_max",
		.data		= &nfnl_cthelper_max,
		.maxlen		= sizeof(nfnl_cthelper_max),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
};

static struct ctl_table_header *nfnl_cthelper_sysctl_header;
#endif

static int __init nfnl_cthelper_init(void)
{
	int err;

#ifdef CONFIG_SYSCTL
	nfnl_cthelper_sysctl_header = register_net_sysctl(&init_net,
							  "net/netfilter",
							  nfnl_cthelper_sysctl);
	if (!nfnl_cthelper_sysctl_header)
		return -ENOMEM;
#endif
	err = register_pernet_subsys(&nfnl_cthelper_net_ops);
	if (err < 0)
		goto err_sysctl;

	err = nfnetlink_subsys_register(&nfnl_cthelper_subsys);
	if (err < 0) {
		pr_err("nfnl_cthelper: cannot register with nfnetlink\n");
		goto err_pernet;
	}
	return 0;

err_pernet:
	unregister_pernet_subsys(&nfnl_cthelper_net_ops);
err_sysctl:
#ifdef CONFIG_SYSCTL
	unregister_net_sysctl_table(nfnl_cthelper_sysctl_header);
#endif
	return err;
}

static void __exit nfnl_cthelper_exit(void)
{
	nfnetlink_subsys_unregister(&nfnl_cthelper_subsys);
	unregister_pernet_subsys(&nfnl_cthelper_net_ops);
#ifdef CONFIG_SYSCTL
	unregister_net_sysctl_table(nfnl_cthelper_sysctl_header);
#endif
}

module_init(nfnl_cthelper_init);
module_exit(nfnl_cthelper_exit);
