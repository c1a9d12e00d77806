# SPDX-License-Identifier: GPL-2.0-or-later
# Bus Pirate (-c buspirate): end-to-end runs of ispflash and avrdude 7.1 against
# the Bus Pirate emulator (tests/emu/emu_buspirate.c in the ispf-emu harness of
# tests/stk500v1.cmake; generator expressions resolve it whatever the include order).
foreach(case same_as_avrdude paths real_hex ext_addr options faults tty)
  add_test(NAME buspirate_${case}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/buspirate/e2e.sh ${case})
  set_tests_properties(buspirate_${case} PROPERTIES
    ENVIRONMENT "ISPF_BIN=$<TARGET_FILE:ispflash>;ISPF_EMU=$<TARGET_FILE:ispf-emu>;ISPF_TEST_DATA=${ISPF_TEST_DATA}"
    TIMEOUT 180)
endforeach()

# A port that is not a Bus Pirate (flood, dribble, trickle, silent) ends within 5 s.
add_test(NAME buspirate_chatty
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500v1/e2e_chatty.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} buspirate)
set_tests_properties(buspirate_chatty PROPERTIES TIMEOUT 120)
