#!/bin/sh
# Unpack the pinned Debian linux-source package into $1 as a git repository
# whose first commit is the pristine tree (the base the series applies to).
# usage: fetch-kernel.sh DEST DEBIAN_VERSION
set -eu
dest=$1
version=$2
pkg=linux-source-6.12

if [ -f "$dest/.git/pristine-$version" ]; then
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download "$pkg=$version")
dpkg -x "$work"/${pkg}_*.deb "$work/x"
rm -rf "$dest"
mkdir -p "$dest"
tar -C "$dest" --strip-components=1 -xf "$work"/x/usr/src/linux-source-6.12.tar.xz
cd "$dest"
# Debian's .gitignore ignores the whole tree ("/*"); keep the upstream rules.
sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' .gitignore
git init -q -b pristine
git -c user.name=pristine -c user.email=pristine@localhost add -A -f .
git -c user.name=pristine -c user.email=pristine@localhost \
	commit -q -m "Linux $version (Debian linux-source-6.12)"
touch ".git/pristine-$version"
echo "kernel tree: $dest ($version)"
