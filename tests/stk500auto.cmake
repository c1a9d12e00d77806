# SPDX-License-Identifier: GPL-2.0-or-later
# -c stk500 (src/programmers/stk500generic.c): probes STK500v2 then STK500v1,
# against both emulators (ispf-emu, defined in stk500v1.cmake), chatter.py peers
# and avrdude 7.1.
foreach(case write avrdude notpgm usage)
  add_test(NAME stk500auto_${case}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500auto/e2e.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} ${case})
  set_tests_properties(stk500auto_${case} PROPERTIES TIMEOUT 240 LABELS "stk500auto;e2e")
endforeach()

find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME stk500auto_valgrind
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500auto/e2e.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} valgrind)
  set_tests_properties(stk500auto_valgrind PROPERTIES TIMEOUT 300 LABELS "stk500auto;no-sanitizer")
endif()
