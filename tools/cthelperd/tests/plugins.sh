#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Helper plugins, without a kernel: cthelperd is installed into a scratch
# root, the example plugin (examples/openback) is built from a copy outside
# the source tree against that installed header only (pkg-config), listed,
# and replayed against a capture of it from the VM test. Then plugins that
# must not load: each gives a clear error naming the file and the reason,
# and cthelperd does not start at all (no half-configured daemon).
# TAP; run from tools/cthelperd (make run-tests).
set -u
CTHD=$(pwd)/cthelperd
T=$(mktemp -d /tmp/cthd_plugins.XXXXXX)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
n=0 failed=0

echo "TAP version 13"
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; sed 's/^/# /' "$T/out" | tail -n 15; }
check() { _name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$_name"; else not_ok "$_name"; fi; }

[ -x "$CTHD" ] || { echo "1..0 # SKIP cthelperd not built"; exit 4; }
command -v pkg-config >/dev/null || { echo "1..0 # SKIP no pkg-config"; exit 4; }

# --- the example, out of tree, against the installed header ----------------
R=$T/root
make -s install DESTDIR="$R" PREFIX=/usr >"$T/out" 2>&1 || { not_ok "make install into a scratch root"; echo "1..$n"; exit 1; }
export PKG_CONFIG_PATH="$R/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$R"
cp -r examples/openback "$T/openback"
check "the example builds out of tree against the installed helper.h only" sh -c "
	# not silent, whatever make runs this test: the command line is checked
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C '$T/openback' >'$T/build.log' 2>&1 || { cat '$T/build.log'; exit 1; }
	cat '$T/build.log'
	# the include path is the scratch root's, nothing of the source tree
	grep -q -- '-I$R/usr/include/cthelperd' '$T/build.log' && ! grep -q -- '$(pwd)' '$T/build.log'"
check "pkg-config gives the plugin directory and the ABI" sh -c "
	[ \"\$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=plugindir cthelperd)\" = /usr/lib/cthelperd/plugins ] &&
	[ \"\$(pkg-config --variable=abi cthelperd)\" = \
	  \"\$(sed -n 's/^#define CTHD_HELPER_ABI[[:space:]]*\([0-9]*\).*/\1/p' helper.h)\" ]"
check "the plugin exports cthd_plugin and nothing else of its own" sh -c "
	nm -D --defined-only '$T/openback/openback.so' | awk '{print \$3}' | grep -v '^_' | grep -vx cthd_plugin | grep . && exit 1 || exit 0"
P=$T/plugins
mkdir -m 0755 "$P"
install -m 0644 "$T/openback/openback.so" "$P/"
check "--list-helpers shows the plugin's helper and where it came from" sh -c "
	'$CTHD' --plugin-dir '$P' --list-helpers | grep -q '^openback  *tcp port 7777, 1 class(es), 24 bytes of private data, plugin $P/openback.so'"
check "built-in helpers stay listed" sh -c "'$CTHD' --plugin-dir '$P' --list-helpers | grep -q '^ftp '"
if [ -f examples/openback/openback.pcap ]; then
	check "--replay with the plugin: the expectations of the live run in the VM" \
		"$CTHD" --plugin-dir "$P" --replay examples/openback/openback.pcap --helper openback \
		--expected examples/openback/openback.expect
else
	n=$((n + 1)); echo "ok $n - --replay with the plugin # SKIP no examples/openback/openback.pcap"
fi

# --- plugins that must not load --------------------------------------------
# bad NAME C-SOURCE: a plugin directory holding NAME.so built from the source
bad() {
	mkdir -m 0755 "$T/$1"
	printf '%s\n' "#include <errno.h>" "#include <netinet/in.h>" "#include <stdlib.h>" \
		"#include <helper.h>" "$2" >"$T/$1/src.c"
	cc -std=gnu11 -fPIC -shared -fvisibility=hidden $(pkg-config --cflags cthelperd) \
		-o "$T/$1/$1.so" "$T/$1/src.c" 2>"$T/out" || { cat "$T/out"; return 1; }
	rm "$T/$1/src.c"
}
HELPER='static int p(const struct cthd_packet *a, const struct cthd_conntrack *b, void *c, struct cthd_result *d) { (void)a; (void)b; (void)c; (void)d; return 0; }
static const struct cthd_helper h = { .name = NAME, .l4proto = IPPROTO_TCP, .default_port = 9,
	.n_policies = 1, .policies = { { .name = "x", .max_expected = 1, .timeout = 9 } }, .process = p };'
# refused NAME PATTERN: the plugin directory NAME stops cthelperd with PATTERN
refused() {
	_dir=$T/$1 _pat=$2
	"$CTHD" --plugin-dir "$_dir" --list-helpers >"$T/list.out" 2>"$T/out"
	_rc=$?
	if [ "$_rc" -eq 1 ] && grep -q -- "$_pat" "$T/out" && ! grep -q . "$T/list.out"; then
		ok "$1: --list-helpers exits 1: $(head -c 150 "$T/out")"
	else
		echo "exit $_rc, want 1 and: $_pat; listed: $(cat "$T/list.out")" >>"$T/out"
		not_ok "$1: refused with a clear error"
	fi
	# the daemon stops there: before any netlink socket, without a word of set-up
	"$CTHD" --plugin-dir "$_dir" --helper ftp --foreground --control "$T/ctl" >"$T/out" 2>&1
	_rc=$?
	if [ "$_rc" -eq 1 ] && grep -q -- "$_pat" "$T/out" && [ "$(grep -c . "$T/out")" -eq 1 ]; then
		ok "$1: the daemon does not start, the plugin's error is all it says"
	else
		echo "exit $_rc, want 1 and only: $_pat" >>"$T/out"
		not_ok "$1: the daemon does not start"
	fi
}

bad wrong_abi '#define NAME "wrongabi"
'"$HELPER"'
__attribute__((visibility("default"))) const struct cthd_plugin cthd_plugin = {
	.abi = CTHD_HELPER_ABI + 1, .helper = &h };' && refused wrong_abi "built for helper ABI [0-9]*, this cthelperd has ABI"
bad layout '#define NAME "layout"
'"$HELPER"'
__attribute__((visibility("default"))) const struct cthd_plugin cthd_plugin = {
	.abi = CTHD_HELPER_ABI, .helper_size = sizeof(struct cthd_helper) + 8,
	.packet_size = sizeof(struct cthd_packet), .conntrack_size = sizeof(struct cthd_conntrack),
	.result_size = sizeof(struct cthd_result), .helper = &h };' &&
	refused layout "lays out the structures differently"
bad duplicate '#define NAME "ftp"
'"$HELPER"'
CTHD_PLUGIN(h, NULL);' && refused duplicate "helper ftp exists already (built in)"
mkdir -m 0755 "$T/twice"
bad twice_a '#define NAME "twice"
'"$HELPER"'
CTHD_PLUGIN(h, NULL);' && cp "$T/twice_a/twice_a.so" "$T/twice/a.so" && cp "$T/twice_a/twice_a.so" "$T/twice/b.so" &&
	refused twice "b.so: helper twice exists already (from $T/twice/a.so)"
bad missing_symbol '#define NAME "missing"
int cthd_no_such_function(void);
static int p(const struct cthd_packet *a, const struct cthd_conntrack *b, void *c, struct cthd_result *d) { (void)a; (void)b; (void)c; (void)d; return cthd_no_such_function(); }
static const struct cthd_helper h = { .name = NAME, .l4proto = IPPROTO_TCP, .default_port = 9,
	.n_policies = 1, .policies = { { .name = "x", .max_expected = 1, .timeout = 9 } }, .process = p };
CTHD_PLUGIN(h, NULL);' && refused missing_symbol "undefined symbol: cthd_no_such_function"
bad no_record 'int not_a_plugin(void) { return 0; }' && refused no_record "no symbol cthd_plugin: not a cthelperd helper plugin"
bad init_crash '#define NAME "initcrash"
'"$HELPER"'
static int boom(void) { return *(volatile int *)0; }
CTHD_PLUGIN(h, boom);' && refused init_crash "init_crash.so: crashed while loading or in its init (Segmentation fault)"
bad ctor_crash '#define NAME "ctorcrash"
'"$HELPER"'
__attribute__((constructor)) static void ctor(void) { abort(); }
CTHD_PLUGIN(h, NULL);' && refused ctor_crash "ctor_crash.so: crashed while loading or in its init (Aborted)"
bad init_error '#define NAME "initerror"
'"$HELPER"'
static int no(void) { return -EIO; }
CTHD_PLUGIN(h, no);' && refused init_error "init_error.so: init failed: Input/output error"
bad invalid '#define NAME "a_name_far_too_long"
'"$HELPER"'
CTHD_PLUGIN(h, NULL);' && refused invalid "helper a_name_far_too_: name must be 1..15 characters"
bad same_l4proto_twice '#define NAME "twoproto"
static int p(const struct cthd_packet *a, const struct cthd_conntrack *b, void *c, struct cthd_result *d) { (void)a; (void)b; (void)c; (void)d; return 0; }
static const struct cthd_helper h = { .name = NAME, .l4proto = IPPROTO_TCP, .also_l4proto = IPPROTO_TCP,
	.default_port = 9, .n_policies = 1, .policies = { { .name = "x", .max_expected = 1, .timeout = 9 } }, .process = p };
CTHD_PLUGIN(h, NULL);' && refused same_l4proto_twice "helper twoproto: also_l4proto must be 0 or the other of TCP and UDP"

mkdir -m 0755 "$T/unreadable"
ln -s "$T/nowhere.so" "$T/unreadable/gone.so"
refused unreadable "gone.so: No such file or directory"
mkdir -m 0755 "$T/garbage"
echo "not an object" >"$T/garbage/junk.so"
refused garbage "junk.so: .*\(invalid ELF header\|file too short\)"
mkdir -m 0755 "$T/writable"
cp "$P/openback.so" "$T/writable/" && chmod 0666 "$T/writable/openback.so"
refused writable "openback.so: owned by uid 0 with mode 0666: a plugin file must be root's"
mkdir -m 0777 "$T/open_dir"
cp "$P/openback.so" "$T/open_dir/"
refused open_dir "directory $T/open_dir: owned by uid 0 with mode 0777"
# one good plugin beside a bad one: nothing is loaded, not even the good one
mkdir -m 0755 "$T/mixed"
cp "$P/openback.so" "$T/mixed/a_good.so" && cp "$T/init_crash/init_crash.so" "$T/mixed/b_bad.so"
refused mixed "b_bad.so: crashed"
refused no_such_dir "plugin directory $T/no_such_dir: No such file or directory"
# cthelperd.conf's PluginDir, as the unit starts it
printf 'General {\n\tPluginDir %s\n}\nHelper {\n\tType ftp inet tcp {\n\t}\n}\n' "$T/init_crash" >"$T/conf"
check "cthelperd.conf PluginDir: the daemon loads from there (and refuses a crashing plugin)" sh -c "
	! '$CTHD' --config '$T/conf' --foreground --control '$T/ctl' >'$T/conf.out' 2>&1 &&
	grep -q 'init_crash.so: crashed' '$T/conf.out' || { cat '$T/conf.out'; exit 1; }"

echo "1..$n"
[ "$failed" -eq 0 ]
