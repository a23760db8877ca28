#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# After the privilege drop cthelperd holds only the sockets it uses, and
# its janitor (which keeps CAP_NET_ADMIN) only what it uses. The daemon is
# started holding netfilter netlink sockets opened by root, as a careless
# parent would leave them (one on stdin): they must be gone. Without capabilities
# (janitor): the daemon has its queue socket and control socket, the
# janitor its command pipe, the queue socket and a helper socket of its
# own, stdio on /dev/null. With CAP_NET_ADMIN kept: the daemon also has a
# helper socket to delete the helpers it registered. Either way SIGTERM
# still deletes them. (That it still helps is cthelperd_ftp.sh's part.)
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct /usr/bin/python3
netns_add "$F" || skip_all "cannot add a namespace"
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# cthelperd_start_leaking ARGS...: cthelperd_start, the daemon holding two
# netfilter netlink sockets opened by root, one on stdin, one on
# descriptor 9 (their inodes in $T/leaked)
cat >"$T/leaky" <<EOF
#!/usr/bin/python3
import os, socket, sys
if "--stats" not in sys.argv:
    inodes = []
    for fd in (0, 9):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)
        os.dup2(s.fileno(), fd)
        inodes.append(str(os.fstat(fd).st_ino))
    open("$T/leaked", "w").write("\n".join(inodes) + "\n")
os.execv("$CTHD", ["$CTHD"] + sys.argv[1:])
EOF
chmod +x "$T/leaky"
cthelperd_start_leaking() {
	_cthd=$CTHD
	CTHD=$T/leaky
	cthelperd_start "$F" "$@"
	_rc=$?
	CTHD=$_cthd
	return $_rc
}

# fds PID: one line per descriptor, "N TARGET", sockets as
# "socket:leaked" (ours), "socket:netlink", "socket:unix" or "socket:other"
fds() {
	for _fd in /proc/$1/fd/*; do
		_t=$(readlink "$_fd") || continue
		case $_t in
		socket:*)
			_ino=${_t#socket:[}
			_ino=${_ino%]}
			if grep -qx "$_ino" "$T/leaked"; then
				_t=socket:leaked
			elif nsx "$F" awk '{print $NF}' /proc/net/netlink | grep -qx "$_ino"; then
				_t=socket:netlink
			elif nsx "$F" awk '{print $7}' /proc/net/unix | grep -qx "$_ino"; then
				_t=socket:unix
			else
				_t=socket:other
			fi
		esac
		echo "${_fd##*/} $_t"
	done
}

count() { grep -c " $2\$" "$1"; }

janitor_pid() {
	for _s in /proc/[0-9]*/stat; do
		awk -v p="$CTHD_PID" '$4 == p {print $1}' "$_s" 2>/dev/null
	done | head -n 1
}

for mode in none net_admin; do
	cthelperd_start_leaking --helper ftp --family inet --register --user nobody \
		--capabilities $([ $mode = none ] && echo auto || echo net_admin) ||
		{ not_ok "$mode: cthelperd starts"; continue; }
	caps=$(awk '/^CapEff/ {print $2}' /proc/$CTHD_PID/status)
	if [ $mode = none ] && [ "$caps" != 0000000000000000 ]; then
		skip "$mode: this kernel wants CAP_NET_ADMIN on verdicts (CapEff $caps)"
		cthelperd_stop
		continue
	fi
	fds $CTHD_PID >"$T/daemon.$mode"
	sed "s/^/# daemon ($mode): /" "$T/daemon.$mode"
	check "$mode: the inherited netlink sockets are closed (stdin, fd 9)" \
		test "$(count "$T/daemon.$mode" socket:leaked)" -eq 0
	want=$([ $mode = none ] && echo 1 || echo 2)
	check "$mode: netlink sockets: the queue's$([ $mode = net_admin ] && echo ', the helper socket')" \
		test "$(count "$T/daemon.$mode" socket:netlink)" -eq "$want"
	check "$mode: unix sockets: the control socket" \
		test "$(count "$T/daemon.$mode" socket:unix)" -eq 1
	check "$mode: no other socket" test "$(count "$T/daemon.$mode" socket:other)" -eq 0
	if [ $mode = none ]; then
		jpid=$(janitor_pid)
		fds "$jpid" >"$T/janitor"
		sed "s/^/# janitor: /" "$T/janitor"
		check "janitor: only the queue and its own helper socket, no other socket" sh -c "
			[ $(count "$T/janitor" socket:netlink) -eq 2 ] &&
			[ $(grep -c ' socket:' "$T/janitor") -eq 2 ]"
		check "janitor: stdio on /dev/null, one pipe, nothing else" sh -c "
			[ $(grep -c '^[012] /dev/null$' "$T/janitor") -eq 3 ] &&
			[ $(grep -c ' pipe:' "$T/janitor") -eq 1 ] && [ $(wc -l <"$T/janitor") -eq 6 ]"
	fi
	cthelperd_stop
	check "$mode: SIGTERM: exits 0" test $? -eq 0
	check "$mode: SIGTERM: the helper it registered is deleted" \
		sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ftp'"
done
tap_done
