# SPDX-License-Identifier: GPL-2.0-or-later
# QMK's names (--bootloader with BOOTLOADER values, --qmk PATH) and --fuse FIELD=VALUE:
# unit tests of the rules.mk parser and the field value parser, and end-to-end runs on
# the dryrun chip with the fake keyboards/ tree in tests/data/qmk.
ispf_unit_test(test_qmk ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_qmk.c)
ispf_unit_test(test_fusefield ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fusefield.c)

add_test(NAME qmk_dryrun_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/qmk/qmk.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(qmk_dryrun_e2e PROPERTIES TIMEOUT 300)
