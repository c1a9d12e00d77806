# SPDX-License-Identifier: GPL-2.0-or-later
# -c avr109 / butterfly / avr911 (src/programmers/avr109.c) against the Caterina
# emulator (ispf-emu --proto caterina, tests/emu/emu_caterina.c), and avrdude 7.1.
foreach(t emu avrdude tty reboot)
  add_test(NAME avr109_e2e_${t}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/avr109/e2e_${t}.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA})
  set_tests_properties(avr109_e2e_${t} PROPERTIES TIMEOUT 300 LABELS "avr109;e2e")
endforeach()

# A port that is not the bootloader (tests/tools/chatter.py): the shared chatty test.
add_test(NAME avr109_e2e_chatty
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500v1/e2e_chatty.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} avr109 butterfly)
set_tests_properties(avr109_e2e_chatty PROPERTIES TIMEOUT 300 LABELS "avr109;e2e")
