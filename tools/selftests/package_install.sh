#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Installation like a package: `make install` into a scratch DESTDIR (the
# files, the paths in the unit and the pkg-config file, an admin's
# configuration left alone), then the Debian source package built with
# dpkg-buildpackage from the tracked files only (a fresh clone), its .debs
# checked against the expected file lists, unpacked into a scratch root
# with dpkg --root, and checked to share no file with Debian's nfct.
# TAP; run from the repository root with the tools built (make tools).
set -u
REPO=${REPO:-$(pwd)}
T=$(mktemp -d /tmp/package_install.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

echo "TAP version 13"
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -f "$T/out" ] && sed 's/^/# /' "$T/out" | tail -n 25; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { _name=$1; shift; if "$@" >"$T/out" 2>&1; then ok "$_name"; else not_ok "$_name"; fi; }
# same_list NAME EXPECTED ACTUAL: the two file lists are equal (sorted)
same_list() {
	sort "$2" >"$T/want" && sort "$3" >"$T/got"
	if diff -u "$T/want" "$T/got" >"$T/out"; then ok "$1"; else not_ok "$1"; fi
}

cd "$REPO" || exit 1
[ -x tools/cthelperd/cthelperd ] && [ -x tools/nfct/nfct ] ||
	{ echo "1..0 # SKIP tools not built (make tools)"; exit 4; }

# --- make install ----------------------------------------------------------
R=$T/root
check "make install DESTDIR PREFIX=/usr exits 0" make -s install DESTDIR="$R" PREFIX=/usr
(cd "$R" && find . -type f | sed 's|^\.||') >"$T/installed"
cat >"$T/expected" <<EOF
/etc/cthelperd.conf
/usr/include/cthelperd/helper.h
/usr/lib/pkgconfig/cthelperd.pc
/usr/lib/systemd/system/cthelperd.service
/usr/sbin/cthelperd
/usr/sbin/nfct
/usr/share/doc/cthelperd/HELPERS.md
/usr/share/doc/cthelperd/examples/cthelperd.conf
/usr/share/man/man5/cthelperd.conf.5
/usr/share/man/man8/cthelperd.8
/usr/share/man/man8/nfct.8
EOF
same_list "make install: binaries, man pages, unit, example config, header, pkg-config file" \
	"$T/expected" "$T/installed"
check "the installed cthelperd runs (--version)" "$R/usr/sbin/cthelperd" --version
check "the installed configuration parses (its helpers are built in)" sh -c "
	'$R/usr/sbin/cthelperd' --config '$R/etc/cthelperd.conf' --list-helpers >/dev/null"
check "pkg-config finds the installed header through the installed cthelperd.pc" sh -c "
	PKG_CONFIG_PATH='$R/usr/lib/pkgconfig' PKG_CONFIG_SYSROOT_DIR='$R' pkg-config --cflags cthelperd |
		grep -qx -- '-I$R/usr/include/cthelperd *'"

R2=$T/local
mkdir -p "$R2/etc"
echo "# the admin's" >"$R2/etc/cthelperd.conf"
check "make install PREFIX=/usr/local, NFCT_NAME=cthelper-nfct" \
	make -s install DESTDIR="$R2" PREFIX=/usr/local NFCT_NAME=cthelper-nfct
check "the unit starts the daemon where PREFIX put it, Type=notify with a watchdog" sh -c "
	u='$R2/usr/local/lib/systemd/system/cthelperd.service'
	grep -qx 'ExecStart=/usr/local/sbin/cthelperd --foreground --syslog --config /etc/cthelperd.conf' \$u &&
	grep -qx 'Type=notify' \$u && grep -q '^WatchdogSec=' \$u && grep -qx 'Restart=on-failure' \$u"
check "NFCT_NAME names the nfct binary and its man page" \
	test -x "$R2/usr/local/sbin/cthelper-nfct" -a -f "$R2/usr/local/share/man/man8/cthelper-nfct.8"
check "an existing /etc/cthelperd.conf is left alone" grep -qx "# the admin's" "$R2/etc/cthelperd.conf"
if command -v systemd-analyze >/dev/null; then
	# verify wants the binary at ExecStart's path: a copy of the unit pointing into DESTDIR
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$R/usr/sbin/|" "$R/usr/lib/systemd/system/cthelperd.service" \
		>"$T/cthelperd.service"
	check "systemd-analyze verify: the unit has no error" sh -c "
		systemd-analyze verify '$T/cthelperd.service' 2>&1 | grep -v \"Command 'man \" | tee /dev/stderr | grep -q . && exit 1 || exit 0"
else
	skip "systemd-analyze verify: the unit has no error" "no systemd-analyze on this host"
fi

# --- the Debian package ----------------------------------------------------
if ! command -v dpkg-buildpackage >/dev/null || ! dpkg-checkbuilddeps debian/control >/dev/null 2>&1; then
	skip "dpkg-buildpackage builds the .debs" "$(dpkg-checkbuilddeps debian/control 2>&1 | head -n 1 || echo 'no dpkg-buildpackage') (scripts/deps.sh installs them)"
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi
S=$T/src/cthelperd-0.1
mkdir -p "$S"
# the tracked files, as a fresh clone has them; outside git (an export), all
# but the build products
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$S"
else
	tar --exclude=./build --exclude='*.o' --exclude='*.d' --exclude='*.a' -cf - . | tar -xf - -C "$S"
	make -s -C "$S/tools/cthelperd" clean >/dev/null 2>&1
	make -s -C "$S/tools/nfct" clean >/dev/null 2>&1
fi
# source and binaries; the unit tests ran already (make unit): nocheck
check "dpkg-buildpackage -us -uc builds the source package and the .debs from a clean tree" sh -c "
	cd '$S' && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc >'$T/build.log' 2>&1 ||
		{ tail -n 30 '$T/build.log'; exit 1; }"
V=$(dpkg-parsechangelog -l debian/changelog -S Version)
A=$(dpkg --print-architecture)
check "the source package: .dsc and .tar.xz" test -f "$T/src/cthelperd_$V.dsc" -a -f "$T/src/cthelperd_$V.tar.xz"

deb_files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|'; }
cat >"$T/expected.cthelperd" <<EOF
/etc/cthelperd.conf
/usr/lib/systemd/system/cthelperd.service
/usr/sbin/cthelper-nfct
/usr/sbin/cthelperd
/usr/share/doc/cthelperd/changelog.gz
/usr/share/doc/cthelperd/copyright
/usr/share/doc/cthelperd/examples/cthelperd.conf
/usr/share/man/man5/cthelperd.conf.5.gz
/usr/share/man/man8/cthelper-nfct.8.gz
/usr/share/man/man8/cthelperd.8.gz
EOF
cat >"$T/expected.cthelperd-dev" <<EOF
/usr/include/cthelperd/helper.h
/usr/share/doc/cthelperd-dev/HELPERS.md.gz
/usr/share/doc/cthelperd-dev/changelog.gz
/usr/share/doc/cthelperd-dev/copyright
/usr/share/pkgconfig/cthelperd.pc
EOF
for p in cthelperd:$A cthelperd-dev:all; do
	name=${p%:*}
	deb=$T/src/${name}_${V}_${p#*:}.deb
	if [ -f "$deb" ]; then
		deb_files "$deb" >"$T/got.$name"
		same_list "$name.deb holds the expected files (dpkg-deb -c)" "$T/expected.$name" "$T/got.$name"
	else
		ls "$T/src" >"$T/out"
		not_ok "$name.deb was built"
	fi
done
check "cthelperd.deb: /etc/cthelperd.conf is a conffile" sh -c "
	dpkg-deb -I '$T/src/cthelperd_${V}_$A.deb' conffiles | grep -qx /etc/cthelperd.conf"
check "cthelperd.deb: depends on the libraries it links" sh -c "
	dpkg-deb -f '$T/src/cthelperd_${V}_$A.deb' Depends | grep -q libmnl0 &&
	dpkg-deb -f '$T/src/cthelperd_${V}_$A.deb' Depends | grep -q libpcap"
check "cthelperd.deb: the unit is not enabled or started on installation" sh -c "
	! dpkg-deb -I '$T/src/cthelperd_${V}_$A.deb' postinst 2>/dev/null | grep -q 'deb-systemd-helper enable\|deb-systemd-invoke start'"

# unpacked (not configured: no maintainer script runs in an empty root)
D=$T/droot
mkdir -p "$D/var/lib/dpkg/updates" "$D/var/lib/dpkg/info"
: >"$D/var/lib/dpkg/status"
check "dpkg --root unpacks both .debs into a scratch root" \
	dpkg --root="$D" --force-depends --force-not-root --unpack "$T/src/cthelperd_${V}_$A.deb" \
	"$T/src/cthelperd-dev_${V}_all.deb"
check "dpkg --root lists the unpacked cthelperd as unpacked" sh -c "
	dpkg --root='$D' -s cthelperd | grep -q '^Status: install ok unpacked'"
check "the cthelperd unpacked from the .deb runs (--version)" "$D/usr/sbin/cthelperd" --version

# Debian's nfct (conntrack-tools) owns /usr/sbin/nfct: not one file in common
if dpkg -L nfct >"$T/nfct.files" 2>/dev/null; then
	cat "$T/got.cthelperd" "$T/got.cthelperd-dev" | sort >"$T/ours"
	sort "$T/nfct.files" >"$T/theirs"
	check "no file of ours is one of Debian's nfct package (cthelper-nfct beside its nfct)" sh -c "
		comm -12 '$T/ours' '$T/theirs' | grep . && exit 1 || exit 0"
else
	skip "no file of ours is one of Debian's nfct package" "Debian's nfct is not installed here"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
