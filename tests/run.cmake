# SPDX-License-Identifier: GPL-2.0-or-later
# run_execute (include/ispflash/run.h) as a library call on the dryrun chip, without the CLI.
ispf_unit_test(test_run ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_run.c)
