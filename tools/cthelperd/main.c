// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cthelperd: user-space conntrack helper daemon. Command line, configuration
 * file, daemonising and the pid file; the work is in daemon.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "daemon.h"
#include "plugin.h"
#include "replay.h"

#define CTHD_VERSION "0.1"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cthelperd [options]\n"
		"       cthelperd --stats [--json] [--control PATH]\n"
		"       cthelperd --list-helpers\n"
		"       cthelperd --replay FILE --helper NAME [--port N] [--snat ADDR[:PORT]]\n"
		"                 [--dnat ADDR[:PORT]] [--expected FILE] [--json]\n"
		"\n"
		"  -c, --config FILE     configuration file (default " CTHD_DEFAULT_CONFIG
		" when no --helper)\n"
		"  -H, --helper NAME     serve helper NAME (repeatable)\n"
		"  -q, --queue N         queue of the last --helper (default 0)\n"
		"      --queue-len N     queue length of the last --helper (default %d)\n"
		"      --family F        inet or inet6 only, for the last --helper (default both)\n"
		"      --fail-closed     drop the last --helper's packets when cthelperd is gone\n"
		"      --option NAME=VALUE  set an option of the last --helper (--list-helpers)\n"
		"  -r, --register        register missing helpers, delete them at exit\n"
		"  -f, --foreground      do not daemonise; log to stderr unless --syslog\n"
		"  -s, --syslog          log to syslog\n"
		"  -p, --pidfile FILE    write the daemon's pid to FILE\n"
		"  -u, --user USER       unprivileged user to run as (default " CTHD_DEFAULT_USER ")\n"
		"      --no-seccomp      do not install the seccomp filter\n"
		"      --capabilities M  auto (default): none if this kernel takes verdicts from\n"
		"                        an unprivileged sender, else CAP_NET_ADMIN; none; net_admin\n"
		"      --control PATH    control socket (default " CTHD_DEFAULT_CONTROL ")\n"
		"      --stats           print the running daemon's counters\n"
		"      --json            with --stats: JSON\n"
		"      --list-helpers    list the protocol helpers, built in and plugins\n"
		"      --plugin-dir DIR  load helper plugins (*.so) from DIR (default\n"
		"                        " CTHD_PLUGIN_DIR ")\n"
		"      --replay FILE     run a pcap/pcapng capture through the helper, no kernel\n"
		"      --port N          with --replay: helped flows go to port N (default: the\n"
		"                        helper's port)\n"
		"      --snat ADDR[:PORT], --dnat ADDR[:PORT]\n"
		"                        with --replay: the helped flows' source / destination\n"
		"                        NAT (one per address family)\n"
		"      --expected FILE   with --replay: the expectations to see, one a line;\n"
		"                        exit 1 when they differ\n"
		"  -h, --help, -V, --version\n",
		CTHD_DEFAULT_QUEUE_LEN);
}

static int load_config_file(const char *path, struct cthd_config *cfg, bool must_exist)
{
	char err[256];
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		fprintf(stderr, "cthelperd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *bigger = realloc(text, cap + 65536);

			if (!bigger || cap > (1 << 20)) {
				fprintf(stderr, "cthelperd: %s: too large\n", path);
				free(bigger ? bigger : text);
				fclose(f);
				return -1;
			}
			text = bigger;
			cap += 65536;
		}
		size_t n = fread(text + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	rc = cthd_config_parse(text, len, cfg, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "cthelperd: %s: %s\n", path, err);
		return -1;
	}
	return 0;
}

static int parse_number(const char *opt, const char *arg, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(arg, &end, 10);
	if (!arg[0] || *end || errno || *out > max || arg[0] == '-') {
		fprintf(stderr, "cthelperd: %s: expected a number 0..%lu, got '%s'\n", opt, max, arg);
		return -1;
	}
	return 0;
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/*
 * Fork; the parent waits for the child to report that setup worked, so that
 * its exit status tells an init script the truth.
 */
static int daemonize(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe(pipefd) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		_exit(read(pipefd[0], &c, 1) == 1 ? 0 : 1);
	}
	close(pipefd[0]);
	setsid();
	if (chdir("/") < 0)
		return -errno;
	*ready_fd = pipefd[1];
	return 0;
}

/*
 * Started with a standard stream closed, the daemon would give its number
 * to a socket, which stdio would then write to, or detach_stdio() replace.
 */
static void open_stdio(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return;
}

static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

enum {
	OPT_QUEUE_LEN = 256, OPT_FAMILY, OPT_FAIL_CLOSED, OPT_NO_SECCOMP, OPT_CONTROL,
	OPT_STATS, OPT_JSON, OPT_LIST, OPT_CAPS, OPT_OPTION, OPT_REPLAY, OPT_PORT, OPT_SNAT,
	OPT_DNAT, OPT_EXPECTED, OPT_PLUGIN_DIR,
};

/*
 * The plugins of dir (the default directory when NULL: missing is no
 * error there), before anything else is set up; false after saying why.
 */
static bool load_plugins(const char *dir)
{
	char err[768];

	if (cthd_plugins_load(dir ? dir : CTHD_PLUGIN_DIR, dir != NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "cthelperd: %s\n", err);
		return false;
	}
	return true;
}

/* --replay: the helper of the one --helper, the rest from the flags */
static int replay_main(struct cthd_replay_opts *ro, const struct cthd_config *flags,
		       bool port_set)
{
	char err[256];

	if (flags->n_served != 1) {
		fprintf(stderr, "cthelperd: --replay needs exactly one --helper\n");
		return 2;
	}
	ro->helper = cthd_helper_find(flags->served[0].name);
	if (!ro->helper) {
		fprintf(stderr, "cthelperd: --helper %s: no such helper (--list-helpers)\n",
			flags->served[0].name);
		return 2;
	}
	if (cthd_config_options(&flags->served[0], ro->helper, ro->options, err, sizeof(err)) < 0) {
		fprintf(stderr, "cthelperd: %s\n", err);
		return 2;
	}
	if (!port_set)
		ro->port = ro->helper->default_port;
	return cthd_replay(ro, stdout, stderr);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "helper", required_argument, NULL, 'H' },
		{ "queue", required_argument, NULL, 'q' },
		{ "queue-len", required_argument, NULL, OPT_QUEUE_LEN },
		{ "family", required_argument, NULL, OPT_FAMILY },
		{ "fail-closed", no_argument, NULL, OPT_FAIL_CLOSED },
		{ "option", required_argument, NULL, OPT_OPTION },
		{ "register", no_argument, NULL, 'r' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "syslog", no_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
		{ "capabilities", required_argument, NULL, OPT_CAPS },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "list-helpers", no_argument, NULL, OPT_LIST },
		{ "replay", required_argument, NULL, OPT_REPLAY },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "snat", required_argument, NULL, OPT_SNAT },
		{ "dnat", required_argument, NULL, OPT_DNAT },
		{ "expected", required_argument, NULL, OPT_EXPECTED },
		{ "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	/* flags are applied over the configuration file, so keep them apart */
	struct cthd_config cfg, flags;
	struct cthd_served_config *last = NULL;
	const char *config_path = NULL;
	bool stats = false, json = false, list = false, syslog_flag = false,
	     foreground = false, register_flag = false, no_seccomp = false, caps_set = false;
	enum cthd_caps_mode caps = CTHD_CAPS_AUTO;
	static struct cthd_daemon daemon_ctx;
	struct cthd_replay_opts replay = { 0 };
	bool port_set = false;
	char err[512];
	int ready_fd = -1, opt, rc;
	unsigned long n;

	open_stdio();
	cthd_config_defaults(&flags);
	while ((opt = getopt_long(argc, argv, "c:H:q:rfsp:u:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'H':
			rc = cthd_config_add_served(&flags, optarg, 0, &last);
			if (rc < 0) {
				fprintf(stderr, "cthelperd: --helper %s: %s\n", optarg,
					rc == -ENOSPC ? "too many helpers" : "bad name");
				return 2;
			}
			break;
		case 'q':
		case OPT_QUEUE_LEN:
			if (!last) {
				fprintf(stderr, "cthelperd: %s comes after --helper\n",
					opt == 'q' ? "--queue" : "--queue-len");
				return 2;
			}
			if (parse_number(opt == 'q' ? "--queue" : "--queue-len", optarg,
					 opt == 'q' ? 65535 : 1 << 20, &n) < 0)
				return 2;
			if (opt == 'q')
				last->queue = (uint16_t)n;
			else
				last->queue_len = (uint32_t)n;
			break;
		case OPT_FAMILY:
			if (!last || (strcmp(optarg, "inet") && strcmp(optarg, "inet6"))) {
				fprintf(stderr, "cthelperd: --family inet|inet6 after --helper\n");
				return 2;
			}
			last->inet = !strcmp(optarg, "inet");
			last->inet6 = !last->inet;
			break;
		case OPT_FAIL_CLOSED:
			if (!last) {
				fprintf(stderr, "cthelperd: --fail-closed comes after --helper\n");
				return 2;
			}
			last->fail_closed = true;
			break;
		case OPT_OPTION: {
			char name[CTHD_OPTION_NAME_MAX];
			const char *eq = strchr(optarg, '=');

			if (!last || !eq || (size_t)(eq - optarg) >= sizeof(name)) {
				fprintf(stderr, "cthelperd: --option NAME=VALUE comes after --helper\n");
				return 2;
			}
			memcpy(name, optarg, (size_t)(eq - optarg));
			name[eq - optarg] = '\0';
			rc = cthd_config_set_option(last, name, eq + 1);
			if (rc < 0) {
				fprintf(stderr, "cthelperd: --option %s: %s\n", optarg,
					rc == -ENOSPC ? "too many options" :
					"expected on, off or a number");
				return 2;
			}
			break;
		}
		case 'r':
			register_flag = true;
			break;
		case 'f':
			foreground = true;
			break;
		case 's':
			syslog_flag = true;
			break;
		case 'p':
			snprintf(flags.pidfile, sizeof(flags.pidfile), "%s", optarg);
			break;
		case 'u':
			snprintf(flags.user, sizeof(flags.user), "%s", optarg);
			break;
		case OPT_NO_SECCOMP:
			no_seccomp = true;
			break;
		case OPT_CAPS:
			if (cthd_caps_mode_parse(optarg, &caps) < 0) {
				fprintf(stderr, "cthelperd: --capabilities auto|none|net_admin\n");
				return 2;
			}
			caps_set = true;
			break;
		case OPT_CONTROL:
			snprintf(flags.control, sizeof(flags.control), "%s", optarg);
			break;
		case OPT_STATS:
			stats = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_LIST:
			list = true;
			break;
		case OPT_REPLAY:
			replay.capture = optarg;
			break;
		case OPT_PORT:
			if (parse_number("--port", optarg, 65535, &n) < 0)
				return 2;
			replay.port = (uint16_t)n;
			port_set = true;
			break;
		case OPT_SNAT:
		case OPT_DNAT: {
			bool snat = opt == OPT_SNAT;
			unsigned int *count = snat ? &replay.n_snat : &replay.n_dnat;
			struct cthd_replay_nat *list = snat ? replay.snat : replay.dnat, nat;

			if (cthd_replay_nat_parse(optarg, &nat) < 0) {
				fprintf(stderr, "cthelperd: --%s %s: expected ADDR, ADDR:PORT or "
					"[ADDR6]:PORT\n", snat ? "snat" : "dnat", optarg);
				return 2;
			}
			for (unsigned int i = 0; i < *count; i++)
				if (list[i].family == nat.family) {
					fprintf(stderr, "cthelperd: --%s: one per address family\n",
						snat ? "snat" : "dnat");
					return 2;
				}
			list[(*count)++] = nat;
			break;
		}
		case OPT_EXPECTED:
			replay.expected = optarg;
			break;
		case OPT_PLUGIN_DIR:
			snprintf(flags.plugin_dir, sizeof(flags.plugin_dir), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("cthelperd %s\n", CTHD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cthelperd: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	if (!replay.capture && (port_set || replay.n_snat || replay.n_dnat || replay.expected)) {
		fprintf(stderr, "cthelperd: --port, --snat, --dnat and --expected go with --replay\n");
		return 2;
	}
	if (replay.capture || list) {
		/* no configuration read: the flag's directory, or the default */
		if (!load_plugins(flags.plugin_dir[0] ? flags.plugin_dir : NULL))
			return 1;
	}
	if (replay.capture) {
		replay.json = json;
		return replay_main(&replay, &flags, port_set);
	}

	if (list) {
		for (size_t i = 0; i < cthd_helper_count(); i++) {
			const struct cthd_helper *h = cthd_helper_at(i);

			const char *plugin = cthd_helper_plugin_path(h);

			printf("%-15s %s%s port %u, %u class(es), %zu bytes of private data%s%s\n",
			       h->name, h->l4proto == 6 ? "tcp" : h->l4proto == 17 ? "udp" : "?",
			       h->also_l4proto == 6 ? "+tcp" : h->also_l4proto == 17 ? "+udp" : "",
			       h->default_port, h->n_policies, h->priv_len,
			       plugin ? ", plugin " : "", plugin ? plugin : "");
			for (unsigned int k = 0; k < h->n_options; k++)
				printf("%-15s   option %s (0..%u, default %u%s%s)\n", "",
				       h->options[k].name, h->options[k].max, h->options[k].def,
				       h->options[k].privileged ?
				       "; another value needs Capabilities net_admin: " : "",
				       h->options[k].privileged ? h->options[k].privileged : "");
		}
		return 0;
	}

	cthd_config_defaults(&cfg);
	if (config_path || flags.n_served == 0) {
		if (load_config_file(config_path ? config_path : CTHD_DEFAULT_CONFIG, &cfg,
				     config_path != NULL) < 0)
			return 1;
	}
	/* command line over file */
	for (unsigned int i = 0; i < flags.n_served; i++) {
		struct cthd_served_config *s = cthd_config_find(&cfg, flags.served[i].name,
								flags.served[i].queue);

		if (!s && cthd_config_add_served(&cfg, flags.served[i].name,
						 flags.served[i].queue, &s) < 0) {
			fprintf(stderr, "cthelperd: too many helpers\n");
			return 2;
		}
		*s = flags.served[i];
	}
	if (strcmp(flags.control, CTHD_DEFAULT_CONTROL))
		snprintf(cfg.control, sizeof(cfg.control), "%s", flags.control);
	if (strcmp(flags.user, CTHD_DEFAULT_USER))
		snprintf(cfg.user, sizeof(cfg.user), "%s", flags.user);
	if (flags.pidfile[0])
		snprintf(cfg.pidfile, sizeof(cfg.pidfile), "%s", flags.pidfile);
	if (flags.plugin_dir[0])
		snprintf(cfg.plugin_dir, sizeof(cfg.plugin_dir), "%s", flags.plugin_dir);
	cfg.syslog |= syslog_flag;
	cfg.register_helpers |= register_flag;
	if (no_seccomp)
		cfg.seccomp = false;
	if (caps_set)
		cfg.caps = caps;
	cfg.foreground = foreground;
	if (!cfg.foreground)
		cfg.syslog = true;	/* stderr goes to /dev/null */

	if (stats) {
		rc = cthd_control_query(cfg.control, json ? "stats json" : "stats", stdout);
		if (rc < 0) {
			fprintf(stderr, "cthelperd: %s: %s (is cthelperd running?)\n", cfg.control,
				strerror(-rc));
			return 1;
		}
		return 0;
	}

	/* as root, before any socket, the drop and seccomp; all or nothing */
	if (!load_plugins(cfg.plugin_dir[0] ? cfg.plugin_dir : NULL))
		return 1;
	if (!cfg.foreground) {
		rc = daemonize(&ready_fd);
		if (rc < 0) {
			fprintf(stderr, "cthelperd: daemonise: %s\n", strerror(-rc));
			return 1;
		}
	}
	rc = cthd_daemon_setup(&daemon_ctx, &cfg, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "cthelperd: %s\n", err);
		cthd_log(&daemon_ctx.log, LOG_ERR, "%s", err);
		return 1;
	}
	if (cfg.pidfile[0] && (rc = write_pidfile(cfg.pidfile)) < 0) {
		cthd_log(&daemon_ctx.log, LOG_ERR, "pid file %s: %s", cfg.pidfile, strerror(-rc));
		cthd_daemon_teardown(&daemon_ctx);
		return 1;
	}
	rc = cthd_daemon_harden(&daemon_ctx, err, sizeof(err));
	if (rc < 0) {
		cthd_log(&daemon_ctx.log, LOG_ERR, "%s", err);
		cthd_daemon_teardown(&daemon_ctx);
		return 1;
	}
	cthd_notify_send(&daemon_ctx.notify, "READY=1");
	if (ready_fd >= 0) {
		if (write(ready_fd, "", 1) < 0)
			return 1;
		close(ready_fd);
		detach_stdio();
	}
	cthd_daemon_run(&daemon_ctx);
	cthd_daemon_teardown(&daemon_ctx);
	if (cfg.pidfile[0])
		unlinkat(AT_FDCWD, cfg.pidfile, 0);	/* the seccomp filter's unlink */
	cthd_log(&daemon_ctx.log, LOG_INFO, "stopped");
	return 0;
}
