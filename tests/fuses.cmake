# SPDX-License-Identifier: GPL-2.0-or-later
# Fuses: decoding, guards, write order, image <-> fuse check and bootloader presets
# (unit, every part of the database), and end-to-end runs of the binary on dryrun.
ispf_unit_test(test_fuse ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fuse.c)

add_test(NAME fuses_dryrun_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuses/e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(fuses_dryrun_e2e PROPERTIES TIMEOUT 300)

# Signature and calibration verify with an image that starts at an offset.
add_test(NAME fuses_dryrun_sigcal_verify
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuses/sigcal_verify.sh $<TARGET_FILE:ispflash>)
set_tests_properties(fuses_dryrun_sigcal_verify PROPERTIES TIMEOUT 120)
