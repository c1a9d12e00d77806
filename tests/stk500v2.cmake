# SPDX-License-Identifier: GPL-2.0-or-later
# STK500v2 (-c stk500v2 / avrispv2 / avrisp2): framing unit test, and end-to-end
# runs of ispflash and avrdude 7.1 against the STK500v2 emulator (tests/emu/
# emu_stk500v2.c, served by the ispf-emu harness of tests/stk500v1.cmake).
ispf_unit_test(test_stk500v2_proto unit/test_stk500v2_proto.c)

# ispf-emu is defined in stk500v1.cmake; generator expressions resolve it at
# generate time, whatever the include order.
foreach(case same_as_avrdude real_hex ext_addr recovery failed_tout faults signon tty chatty
             slow_link)
  add_test(NAME stk500v2_${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/stk500v2/e2e.sh ${case})
  set_tests_properties(stk500v2_${case} PROPERTIES
    ENVIRONMENT "ISPF_BIN=$<TARGET_FILE:ispflash>;ISPF_EMU=$<TARGET_FILE:ispf-emu>;ISPF_TEST_DATA=${ISPF_TEST_DATA}"
    TIMEOUT 180)
endforeach()

# The backend and an interruption request, through its vtable (e2e.sh interrupt).
add_executable(stk2_interrupt stk500v2/interrupt.c)
target_include_directories(stk2_interrupt PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(stk2_interrupt PRIVATE ispflash_core)
add_test(NAME stk500v2_interrupt
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/stk500v2/e2e.sh interrupt)
set_tests_properties(stk500v2_interrupt PROPERTIES
  ENVIRONMENT "ISPF_BIN=$<TARGET_FILE:ispflash>;ISPF_EMU=$<TARGET_FILE:ispf-emu>;ISPF_TEST_DATA=${ISPF_TEST_DATA};ISPF_STK2_INT=$<TARGET_FILE:stk2_interrupt>"
  TIMEOUT 60)
