// SPDX-License-Identifier: GPL-2.0-or-later
/* Helper registration through libcthelper; never NFCTH_* by hand here. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cthelper_nl.h"
#include "register.h"

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cth_helper *found = data;

	if (cth_helper_parse(nlh, found) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Fill the NFCTH description of h as served by sc. */
static void describe(struct cth_helper *k, const struct cthd_helper *h,
		     const struct cthd_served_config *sc, uint16_t l3num, uint8_t l4proto,
		     bool with_policy)
{
	const struct cthd_policy *pol = sc->n_policies ? sc->policies : h->policies;
	unsigned int n = sc->n_policies ? sc->n_policies : h->n_policies;

	memset(k, 0, sizeof(*k));
	cth_helper_set_name(k, h->name);
	cth_helper_set_tuple(k, l3num, l4proto);
	cth_helper_set_queue(k, sc->queue);
	cth_helper_set_status(k, CTH_STATUS_ENABLED);
	cth_helper_set_flags(k, sc->fail_closed ? NFCTH_F_FAIL_CLOSED : 0);
	if (with_policy) {
		cth_helper_set_priv_data_len(k, (uint32_t)h->priv_len);
		for (unsigned int i = 0; i < n; i++)
			cth_helper_add_policy(k, pol[i].name, pol[i].max_expected, pol[i].timeout);
	}
}

int cthd_register(struct cth_nl *nl, const struct cthd_helper *h,
		  const struct cthd_served_config *sc, uint16_t l3num, uint8_t l4proto, bool create,
		  struct cthd_kernel_helper *kh, char *err, size_t errlen)
{
	char buf[CTH_MSG_BUFSZ], why[128];
	const char *fam = l3num == NFPROTO_IPV4 ? "inet" : "inet6";
	const char *l4 = l4proto == IPPROTO_TCP ? "tcp" : "udp";
	struct cth_helper want, found;
	struct nlmsghdr *nlh;
	int rc;

	memset(kh, 0, sizeof(*kh));
	kh->l3num = l3num;
	kh->l4proto = l4proto;
	memset(&found, 0, sizeof(found));
	describe(&want, h, sc, l3num, l4proto, false);
	nlh = cth_helper_build_get(buf, sizeof(buf), &want);
	rc = nlh ? cth_nl_request(nl, nlh, get_cb, &found) : -errno;

	if (rc == 0 && (found.present & CTH_F_NAME)) {
		/* update: queue, status, flags; policy limits only if configured */
		kh->present = true;
		kh->priv_len = found.priv_data_len;
		describe(&want, h, sc, l3num, l4proto, false);
		if (sc->n_policies)
			for (unsigned int i = 0; i < sc->n_policies; i++)
				cth_helper_add_policy(&want, sc->policies[i].name,
						      sc->policies[i].max_expected,
						      sc->policies[i].timeout);
		nlh = cth_helper_build_new(buf, sizeof(buf), 0, &want);
		rc = nlh ? cth_nl_request(nl, nlh, NULL, NULL) : -errno;
		if (rc < 0)
			snprintf(err, errlen, "helper %s %s %s: enable on queue %u: %s%s%s", h->name,
				 fam, l4, sc->queue, strerror(-rc), cth_nl_ext_ack(nl) ? ": " : "",
				 cth_nl_ext_ack(nl) ? cth_nl_ext_ack(nl) : "");
		return rc;
	}
	if (rc < 0 && rc != -ENOENT) {
		snprintf(err, errlen, "helper %s %s %s: lookup: %s%s", h->name, fam, l4, strerror(-rc),
			 rc == -EINVAL || rc == -EOPNOTSUPP ?
			 " (kernel without nfnetlink_cthelper?)" : "");
		/* without --register the registration is the admin's: only warn */
		return create ? rc : -ENOENT;
	}
	if (!create) {
		snprintf(err, errlen, "helper %s %s %s is not registered in the kernel "
			 "(use --register, or nfct add helper %s %s %s)", h->name, fam, l4, h->name,
			 fam, l4);
		return -ENOENT;
	}
	describe(&want, h, sc, l3num, l4proto, true);
	if (cth_helper_check(&want, CTH_CHECK_CREATE, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "helper %s %s %s: %s", h->name, fam, l4, why);
		return -EINVAL;
	}
	nlh = cth_helper_build_new(buf, sizeof(buf), NLM_F_CREATE | NLM_F_EXCL, &want);
	rc = nlh ? cth_nl_request(nl, nlh, NULL, NULL) : -errno;
	if (rc < 0) {
		snprintf(err, errlen, "helper %s %s %s: register: %s%s%s", h->name, fam, l4,
			 strerror(-rc), cth_nl_ext_ack(nl) ? ": " : "",
			 cth_nl_ext_ack(nl) ? cth_nl_ext_ack(nl) : "");
		return rc;
	}
	kh->present = kh->created = true;
	kh->priv_len = (uint32_t)h->priv_len;
	return 0;
}

int cthd_unregister(struct cth_nl *nl, const struct cthd_helper *h,
		    const struct cthd_kernel_helper *kh)
{
	char buf[CTH_MSG_BUFSZ];
	struct cth_helper which;
	struct nlmsghdr *nlh;
	int rc = -EINVAL;

	memset(&which, 0, sizeof(which));
	cth_helper_set_name(&which, h->name);
	cth_helper_set_tuple(&which, kh->l3num, kh->l4proto ? kh->l4proto : h->l4proto);
	/* references from rules are dropped asynchronously: retry briefly */
	for (int tries = 0; tries < 10; tries++) {
		struct timespec pause = { 0, 50 * 1000 * 1000 };

		nlh = cth_helper_build_del(buf, sizeof(buf), &which);
		rc = nlh ? cth_nl_request(nl, nlh, NULL, NULL) : -errno;
		if (rc != -EBUSY)
			break;
		nanosleep(&pause, NULL);
	}
	return rc;
}
