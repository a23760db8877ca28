#!/bin/sh
# Build the VM kernel (bzImage + modules) in $LINUX from tinyconfig plus the
# fragment $KCONFIG, and check that the final .config really holds every
# line of the fragment: tinyconfig silently drops options whose dependencies
# are missing.
#
# usage: build-kernel.sh [--debug]
#   --debug  KASAN + lockdep variant (adds $KCONFIG.modules, the
#            module-order variant, and $KCONFIG.debug), built in
#            $BUILD/linux-debug: a copy of the sources of $LINUX, because
#            kbuild refuses O= on a source tree that is itself built in.
#
# Holds $KBUILD_LOCK ($BUILD/.kbuild.lock) for the whole build: one kernel
# build at a time on this machine (point a clone's builds at the main
# tree's lock). Rebuilds incrementally while the fragment is unchanged.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$repo/build}
LINUX=${LINUX:-$BUILD/linux}
KCONFIG=${KCONFIG:-$repo/tools/selftests/vm/config}
JOBS=${JOBS:-$(nproc)}

fragments=$KCONFIG
tree=$LINUX
if [ "${1:-}" = --debug ]; then
	fragments="$KCONFIG $KCONFIG.modules $KCONFIG.debug"
	tree=$BUILD/linux-debug
fi
[ -f "$LINUX/Makefile" ] || { echo "build-kernel: no kernel tree in $LINUX (run make series)" >&2; exit 1; }

KBUILD_LOCK=${KBUILD_LOCK:-$BUILD/.kbuild.lock}
mkdir -p "$BUILD"
exec 9>"$KBUILD_LOCK"
if ! flock -n 9; then
	echo "build-kernel: another kernel build is running, waiting for $KBUILD_LOCK"
	flock 9
fi

if [ "$tree" != "$LINUX" ]; then
	# Copy only tracked sources; rsync keeps mtimes so make stays incremental.
	mkdir -p "$tree"
	git -C "$LINUX" ls-files -z | rsync -a --from0 --files-from=- "$LINUX/" "$tree/"
fi

# Same compiler string every time: a changed CC changes the config.
if command -v ccache >/dev/null 2>&1; then
	cc="ccache gcc"
else
	cc=gcc
fi
kmake() { make -C "$tree" CC="$cc" "$@"; }

# Regenerate the config only when the fragments (or the compiler) changed:
# a new .config rebuilds almost everything.
stamp=$tree/.fragment.sha256
want=$( (cat $fragments; echo "$cc") | sha256sum | cut -d' ' -f1)
if [ ! -f "$tree/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	rm -f "$stamp"
	kmake -s tinyconfig >/dev/null
	(cd "$tree" && scripts/kconfig/merge_config.sh -m .config $fragments >/dev/null)
	kmake -s olddefconfig
fi

# Every "CONFIG_X=v" must be in .config as is; every "# CONFIG_X is not set"
# must not be set. A later fragment overrides an earlier one (=m over =y).
effective=$(cat $fragments | awk '
	/^CONFIG_[A-Za-z0-9_]*=/ { o = $0; sub(/=.*/, "", o) }
	/^# CONFIG_[A-Za-z0-9_]* is not set$/ { o = $2 }
	o != "" { if (!(o in v)) order[n++] = o; v[o] = $0; o = "" }
	END { for (i = 0; i < n; i++) print v[order[i]] }')
missing=$(echo "$effective" | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p; s/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 unset/p' |
	while read -r want_line; do
		case $want_line in
		*" unset")
			opt=${want_line% unset}
			if grep -q "^$opt=" "$tree/.config"; then
				echo "  $opt should be unset, is $(grep "^$opt=" "$tree/.config")"
			fi ;;
		*)
			if ! grep -qxF "$want_line" "$tree/.config"; then
				got=$(grep "^${want_line%%=*}=" "$tree/.config" || echo "unset")
				echo "  $want_line, is $got"
			fi ;;
		esac
	done)
if [ -n "$missing" ]; then
	echo "build-kernel: options of $fragments dropped from $tree/.config" >&2
	echo "(missing dependencies? check with make menuconfig):" >&2
	echo "$missing" >&2
	exit 1
fi
echo "$want" >"$stamp"

start=$(date +%s)
# A build from scratch takes long (the debug one far longer): build it one
# top-level directory at a time and let other builds waiting for the lock
# in between, so that their quick incremental builds are not held up.
if [ ! -f "$tree/vmlinux" ]; then
	for dir in init usr arch/x86 kernel certs mm fs ipc security crypto \
		block io_uring lib virt sound drivers net; do
		kmake -j"$JOBS" "$dir/"
		flock -u 9
		sleep 2
		flock 9
	done
fi
kmake -j"$JOBS" bzImage modules
# A private module tree so that modprobe (and request_module) work in the VM.
rm -rf "$tree/.modules"
kmake -s INSTALL_MOD_PATH="$tree/.modules" modules_install >/dev/null
echo "build-kernel: $tree/arch/x86/boot/bzImage ($(kmake -s kernelrelease))" \
	"built in $(($(date +%s) - start)) s"
