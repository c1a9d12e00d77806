# SPDX-License-Identifier: GPL-2.0-or-later
# QMK's names (--bootloader with BOOTLOADER values, --qmk PATH) and --fuse FIELD=VALUE:
# unit tests of the rules.mk parser and the field value parser, and end-to-end runs on
# the dryrun chip with the fake keyboards/ tree in tests/data/qmk.
ispf_unit_test(test_qmk ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_qmk.c)
ispf_unit_test(test_fusefield ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fusefield.c)

add_test(NAME qmk_dryrun_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/qmk/qmk.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(qmk_dryrun_e2e PROPERTIES TIMEOUT 300)

# valgrind: --qmk through DEFAULT_FOLDER and the JSON files, a JSON error (exit 3, not
# 99), and --fuse with three fields, free of memory errors and leaks.
find_program(VALGRIND valgrind)
if(VALGRIND)
  set(ISPF_QMK_VG ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
  add_test(NAME qmk_valgrind
           COMMAND ${ISPF_QMK_VG} $<TARGET_FILE:ispflash> -c dryrun -n
                   --qmk ${ISPF_TEST_DATA}/qmk/keyboards/crkbd
                   --fuse JTAGEN=off --fuse BOOTSZ=4096B --fuse BODLEVEL=2.6)
  set_tests_properties(qmk_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
  add_test(NAME qmk_valgrind_bad_json
           COMMAND sh -c "\"$0\" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \"$1\" -c dryrun -n --qmk \"$2\"; test $? = 3"
                   ${VALGRIND} $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA}/qmk/keyboards/broken)
  set_tests_properties(qmk_valgrind_bad_json PROPERTIES LABELS no-sanitizer TIMEOUT 300)
endif()
