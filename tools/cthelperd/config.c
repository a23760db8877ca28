// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cthelperd.conf parser. The grammar follows conntrackd's helper section
 * so that its users recognise it:
 *
 *   General { Syslog on  PidFile /run/cthelperd.pid  User nobody ... }
 *   Helper {
 *       Type ftp inet tcp {
 *           QueueNum 5
 *           QueueLen 1024
 *           FailClosed off
 *           Policy ftp { ExpectMax 1  ExpectTimeout 300 }
 *       }
 *   }
 *
 * Words are separated by blanks or newlines; '#' starts a comment. Keywords
 * are case-insensitive. The parser is pure: text in, struct out.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

#define TOKEN_MAX 256

struct lexer {
	const char *text;
	size_t len, pos;
	unsigned int line;
	char tok[TOKEN_MAX];
	unsigned int tok_line;
	char *err;
	size_t errlen;
};

static int lex_error(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(lx->err, lx->errlen, "line %u: ", lx->tok_line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < lx->errlen)
		vsnprintf(lx->err + n, lx->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Next token into lx->tok: a word, "{" or "}". 0, or 1 at the end. */
static int lex_next(struct lexer *lx)
{
	size_t n = 0;

	for (;;) {
		while (lx->pos < lx->len && isspace((unsigned char)lx->text[lx->pos])) {
			if (lx->text[lx->pos] == '\n')
				lx->line++;
			lx->pos++;
		}
		if (lx->pos < lx->len && lx->text[lx->pos] == '#') {
			while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		break;
	}
	lx->tok_line = lx->line;
	if (lx->pos >= lx->len) {
		lx->tok[0] = '\0';
		return 1;
	}
	if (lx->text[lx->pos] == '{' || lx->text[lx->pos] == '}') {
		lx->tok[0] = lx->text[lx->pos++];
		lx->tok[1] = '\0';
		return 0;
	}
	while (lx->pos < lx->len && !isspace((unsigned char)lx->text[lx->pos]) &&
	       lx->text[lx->pos] != '{' && lx->text[lx->pos] != '}' &&
	       lx->text[lx->pos] != '#') {
		if (n + 1 >= sizeof(lx->tok))
			return lex_error(lx, "word too long");
		lx->tok[n++] = lx->text[lx->pos++];
	}
	lx->tok[n] = '\0';
	return 0;
}

/* The next token must exist; returns it or NULL after reporting. */
static const char *lex_value(struct lexer *lx, const char *what, int *err)
{
	int rc = lex_next(lx);

	if (rc < 0) {
		*err = rc;
		return NULL;
	}
	if (rc == 1 || !strcmp(lx->tok, "{") || !strcmp(lx->tok, "}")) {
		*err = lex_error(lx, "%s needs a value", what);
		return NULL;
	}
	return lx->tok;
}

static int expect_open(struct lexer *lx, const char *what)
{
	int rc = lex_next(lx);

	if (rc < 0)
		return rc;
	if (rc == 1 || strcmp(lx->tok, "{"))
		return lex_error(lx, "'{' expected after %s", what);
	return 0;
}

static int parse_bool(struct lexer *lx, const char *what, bool *out)
{
	int err = 0;
	const char *v = lex_value(lx, what, &err);

	if (!v)
		return err;
	if (!strcasecmp(v, "on") || !strcasecmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return lex_error(lx, "%s: expected on/off, got '%s'", what, v);
	return 0;
}

static int parse_u32(struct lexer *lx, const char *what, uint32_t min, uint32_t max,
		     uint32_t *out)
{
	int err = 0;
	const char *v = lex_value(lx, what, &err);
	unsigned long n;
	char *end;

	if (!v)
		return err;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)v[0]) || *end || errno || n < min || n > max)
		return lex_error(lx, "%s: expected a number %u..%u, got '%s'", what, min, max, v);
	*out = (uint32_t)n;
	return 0;
}

static int parse_string(struct lexer *lx, const char *what, char *out, size_t size)
{
	int err = 0;
	const char *v = lex_value(lx, what, &err);

	if (!v)
		return err;
	if (strlen(v) >= size)
		return lex_error(lx, "%s: too long", what);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* Capabilities auto|none|net_admin: what stays after the privilege drop. */
static int parse_capabilities(struct lexer *lx, struct cthd_config *cfg)
{
	int err = 0;
	const char *v = lex_value(lx, "Capabilities", &err);

	if (!v)
		return err;
	if (cthd_caps_mode_parse(v, &cfg->caps) < 0)
		return lex_error(lx, "Capabilities: expected auto, none or net_admin, got '%s'", v);
	return 0;
}

int cthd_caps_mode_parse(const char *text, enum cthd_caps_mode *mode)
{
	if (!strcasecmp(text, "auto"))
		*mode = CTHD_CAPS_AUTO;
	else if (!strcasecmp(text, "none"))
		*mode = CTHD_CAPS_NONE;
	else if (!strcasecmp(text, "net_admin"))
		*mode = CTHD_CAPS_NET_ADMIN;
	else
		return -EINVAL;
	return 0;
}

static int parse_general(struct lexer *lx, struct cthd_config *cfg)
{
	int rc = expect_open(lx, "General");

	while (rc == 0) {
		rc = lex_next(lx);
		if (rc == 1)
			return lex_error(lx, "missing '}' for General");
		if (rc < 0 || !strcmp(lx->tok, "}"))
			break;
		if (!strcasecmp(lx->tok, "Syslog"))
			rc = parse_bool(lx, "Syslog", &cfg->syslog);
		else if (!strcasecmp(lx->tok, "PidFile"))
			rc = parse_string(lx, "PidFile", cfg->pidfile, sizeof(cfg->pidfile));
		else if (!strcasecmp(lx->tok, "ControlSocket"))
			rc = parse_string(lx, "ControlSocket", cfg->control, sizeof(cfg->control));
		else if (!strcasecmp(lx->tok, "User"))
			rc = parse_string(lx, "User", cfg->user, sizeof(cfg->user));
		else if (!strcasecmp(lx->tok, "PluginDir"))
			rc = parse_string(lx, "PluginDir", cfg->plugin_dir, sizeof(cfg->plugin_dir));
		else if (!strcasecmp(lx->tok, "Register") || !strcasecmp(lx->tok, "Setup"))
			rc = parse_bool(lx, lx->tok, &cfg->register_helpers);
		else if (!strcasecmp(lx->tok, "Seccomp"))
			rc = parse_bool(lx, "Seccomp", &cfg->seccomp);
		else if (!strcasecmp(lx->tok, "Capabilities"))
			rc = parse_capabilities(lx, cfg);
		else
			rc = lex_error(lx, "unknown General option '%s'", lx->tok);
	}
	return rc < 0 ? rc : 0;
}

static int parse_policy(struct lexer *lx, struct cthd_served_config *s)
{
	struct cthd_policy *p;
	int rc;

	if (s->n_policies >= CTHD_POLICY_MAX)
		return lex_error(lx, "at most %d policies per helper", CTHD_POLICY_MAX);
	p = &s->policies[s->n_policies];
	memset(p, 0, sizeof(*p));
	p->max_expected = 1;
	p->timeout = 300;
	rc = parse_string(lx, "Policy", p->name, sizeof(p->name));
	if (rc == 0)
		rc = expect_open(lx, "Policy name");
	while (rc == 0) {
		rc = lex_next(lx);
		if (rc == 1)
			return lex_error(lx, "missing '}' for Policy");
		if (rc < 0 || !strcmp(lx->tok, "}"))
			break;
		if (!strcasecmp(lx->tok, "ExpectMax"))
			rc = parse_u32(lx, "ExpectMax", 1, 255, &p->max_expected);
		else if (!strcasecmp(lx->tok, "ExpectTimeout"))
			rc = parse_u32(lx, "ExpectTimeout", 1, 86400 * 7, &p->timeout);
		else
			rc = lex_error(lx, "unknown Policy option '%s'", lx->tok);
	}
	if (rc < 0)
		return rc;
	s->n_policies++;
	return 0;
}

int cthd_config_set_option(struct cthd_served_config *s, const char *name, const char *value)
{
	unsigned long long v;
	unsigned int i;
	char *end;

	if (!name[0] || strlen(name) >= CTHD_OPTION_NAME_MAX)
		return -EINVAL;
	if (!strcasecmp(value, "on") || !strcasecmp(value, "yes")) {
		v = 1;
	} else if (!strcasecmp(value, "off") || !strcasecmp(value, "no")) {
		v = 0;
	} else {
		if (!isdigit((unsigned char)value[0]))
			return -EINVAL;
		errno = 0;
		v = strtoull(value, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			return -EINVAL;
	}
	for (i = 0; i < s->n_options; i++)
		if (!strcasecmp(s->options[i].name, name))
			break;
	if (i == s->n_options) {
		if (i == CTHD_OPTION_MAX)
			return -ENOSPC;
		s->n_options++;
		snprintf(s->options[i].name, sizeof(s->options[i].name), "%s", name);
	}
	s->options[i].value = (uint32_t)v;
	return 0;
}

/* Option NAME VALUE */
static int parse_option(struct lexer *lx, struct cthd_served_config *s)
{
	char name[CTHD_OPTION_NAME_MAX];
	const char *value;
	int rc, err = 0;

	rc = parse_string(lx, "Option", name, sizeof(name));
	if (rc < 0)
		return rc;
	value = lex_value(lx, "Option name", &err);
	if (!value)
		return err;
	rc = cthd_config_set_option(s, name, value);
	if (rc == -ENOSPC)
		return lex_error(lx, "at most %d options per helper", CTHD_OPTION_MAX);
	if (rc < 0)
		return lex_error(lx, "Option %s: expected on, off or a number, got '%s'", name,
				 value);
	return 0;
}

/* Type NAME inet|inet6 tcp|udp { ... } */
static int parse_type(struct lexer *lx, struct cthd_config *cfg)
{
	char name[CTHD_NAME_MAX], family[16], proto[16];
	struct cthd_served_config body = { 0 }, *s;
	uint32_t queue = 0, qlen = 0;
	bool inet, fail_closed_set = false;
	int rc;

	rc = parse_string(lx, "Type", name, sizeof(name));
	if (rc == 0)
		rc = parse_string(lx, "Type family", family, sizeof(family));
	if (rc == 0)
		rc = parse_string(lx, "Type protocol", proto, sizeof(proto));
	if (rc < 0)
		return rc;
	if (!strcasecmp(family, "inet"))
		inet = true;
	else if (!strcasecmp(family, "inet6"))
		inet = false;
	else
		return lex_error(lx, "family must be inet or inet6, got '%s'", family);
	if (strcasecmp(proto, "tcp") && strcasecmp(proto, "udp"))
		return lex_error(lx, "protocol must be tcp or udp, got '%s'", proto);

	rc = expect_open(lx, "Type");
	while (rc == 0) {
		rc = lex_next(lx);
		if (rc == 1)
			return lex_error(lx, "missing '}' for Type");
		if (rc < 0 || !strcmp(lx->tok, "}"))
			break;
		if (!strcasecmp(lx->tok, "QueueNum"))
			rc = parse_u32(lx, "QueueNum", 0, 65535, &queue);
		else if (!strcasecmp(lx->tok, "QueueLen"))
			rc = parse_u32(lx, "QueueLen", 1, 1u << 20, &qlen);
		else if (!strcasecmp(lx->tok, "FailClosed")) {
			rc = parse_bool(lx, "FailClosed", &body.fail_closed);
			fail_closed_set = true;
		}
		else if (!strcasecmp(lx->tok, "Policy"))
			rc = parse_policy(lx, &body);
		else if (!strcasecmp(lx->tok, "Option"))
			rc = parse_option(lx, &body);
		else
			rc = lex_error(lx, "unknown Type option '%s'", lx->tok);
	}
	if (rc < 0)
		return rc;

	/* "Type ftp inet" and "Type ftp inet6" on one queue are one served helper */
	s = cthd_config_find(cfg, name, (uint16_t)queue);
	if (!s) {
		rc = cthd_config_add_served(cfg, name, (uint16_t)queue, &s);
		if (rc == -ENOSPC)
			return lex_error(lx, "too many helpers (at most %d)", CTHD_SERVED_MAX);
		if (rc < 0)
			return lex_error(lx, "bad helper name '%s'", name);
		s->inet = s->inet6 = false;
	}
	if (inet)
		s->inet = true;
	else
		s->inet6 = true;
	/* a second Type block for the other family changes only what it says */
	if (qlen)
		s->queue_len = qlen;
	if (fail_closed_set)
		s->fail_closed = body.fail_closed;
	if (body.n_policies) {
		s->n_policies = body.n_policies;
		memcpy(s->policies, body.policies, sizeof(body.policies));
	}
	for (unsigned int i = 0; i < body.n_options; i++) {
		char value[16];

		snprintf(value, sizeof(value), "%u", body.options[i].value);
		if (cthd_config_set_option(s, body.options[i].name, value) < 0)
			return lex_error(lx, "at most %d options per helper", CTHD_OPTION_MAX);
	}
	return 0;
}

static int parse_helper(struct lexer *lx, struct cthd_config *cfg)
{
	int rc = expect_open(lx, "Helper");

	while (rc == 0) {
		rc = lex_next(lx);
		if (rc == 1)
			return lex_error(lx, "missing '}' for Helper");
		if (rc < 0 || !strcmp(lx->tok, "}"))
			break;
		if (!strcasecmp(lx->tok, "Type"))
			rc = parse_type(lx, cfg);
		else
			rc = lex_error(lx, "unknown Helper option '%s'", lx->tok);
	}
	return rc < 0 ? rc : 0;
}

void cthd_config_defaults(struct cthd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seccomp = true;
	snprintf(cfg->control, sizeof(cfg->control), "%s", CTHD_DEFAULT_CONTROL);
	snprintf(cfg->user, sizeof(cfg->user), "%s", CTHD_DEFAULT_USER);
}

int cthd_config_parse(const char *text, size_t len, struct cthd_config *cfg,
		      char *err, size_t errlen)
{
	struct lexer lx = { .text = text, .len = len, .line = 1, .err = err, .errlen = errlen };
	int rc;

	if (errlen)
		err[0] = '\0';
	for (;;) {
		rc = lex_next(&lx);
		if (rc == 1)
			return 0;
		if (rc < 0)
			return rc;
		if (!strcasecmp(lx.tok, "General"))
			rc = parse_general(&lx, cfg);
		else if (!strcasecmp(lx.tok, "Helper"))
			rc = parse_helper(&lx, cfg);
		else
			rc = lex_error(&lx, "unknown section '%s'", lx.tok);
		if (rc < 0)
			return rc;
	}
}

struct cthd_served_config *cthd_config_find(struct cthd_config *cfg, const char *name,
					    uint16_t queue)
{
	for (unsigned int i = 0; i < cfg->n_served; i++)
		if (!strcmp(cfg->served[i].name, name) && cfg->served[i].queue == queue)
			return &cfg->served[i];
	return NULL;
}

int cthd_config_add_served(struct cthd_config *cfg, const char *name, uint16_t queue,
			   struct cthd_served_config **out)
{
	struct cthd_served_config *s;

	if (!name[0] || strlen(name) >= CTHD_NAME_MAX)
		return -EINVAL;
	if (cfg->n_served >= CTHD_SERVED_MAX)
		return -ENOSPC;
	s = &cfg->served[cfg->n_served++];
	memset(s, 0, sizeof(*s));
	memcpy(s->name, name, strlen(name) + 1);
	s->inet = s->inet6 = true;
	s->queue = queue;
	s->queue_len = CTHD_DEFAULT_QUEUE_LEN;
	*out = s;
	return 0;
}

int cthd_config_options(const struct cthd_served_config *sc, const struct cthd_helper *h,
			uint32_t *options, char *err, size_t errlen)
{
	for (unsigned int j = 0; j < h->n_options; j++)
		options[j] = h->options[j].def;
	for (unsigned int j = 0; j < sc->n_options; j++) {
		int k = cthd_helper_option_index(h, sc->options[j].name);

		if (k < 0) {
			snprintf(err, errlen, "helper %s has no option '%s'%s", sc->name,
				 sc->options[j].name, h->n_options ?
				 " (cthelperd --list-helpers shows its options)" : "");
			return -EINVAL;
		}
		if (sc->options[j].value > h->options[k].max) {
			snprintf(err, errlen, "helper %s: option %s is 0..%u, not %u",
				 sc->name, sc->options[j].name, h->options[k].max,
				 sc->options[j].value);
			return -EINVAL;
		}
		options[k] = sc->options[j].value;
	}
	return 0;
}
