#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cthelper_expect_race.sh with every verdict removing its conntrack's
# expectations of class 0 (NFQA_EXP_FLUSH) before attaching a new one:
# the flush walks a master's expectations while helper uflood is deleted
# and purged, re-added, and its expectations are created and expire. No
# expectation may outlive uflood and the kernel log must stay clean (KASAN
# and lockdep on the debug kernel).
FLUSH=1 exec "$(dirname "$0")/cthelper_expect_race.sh" "$@"
