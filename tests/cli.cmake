# SPDX-License-Identifier: GPL-2.0-or-later
# CLI: table-driven option parsing, and end-to-end runs of the binary on dryrun.
ispf_unit_test(test_opts ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_opts.c ${PROJECT_SOURCE_DIR}/src/cli/opts.c)
target_include_directories(test_opts PRIVATE ${PROJECT_SOURCE_DIR}/src/cli)

add_test(NAME cli_dryrun_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/dryrun_e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(cli_dryrun_e2e PROPERTIES TIMEOUT 600)

# valgrind: the whole write/verify/read path must be free of memory errors and leaks.
find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME cli_valgrind
           COMMAND ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
                   $<TARGET_FILE:ispflash> -q -c dryrun -p m32u4
                   -U ${ISPF_TEST_DATA}/real/arduino_Caterina-Leonardo.hex -U eeprom:w:1,2,3:m
                   -U lfuse:w:0xFF:m -U flash:r:/dev/null:i)
  set_tests_properties(cli_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
endif()

# Interruption (SIGINT/SIGTERM/SIGHUP mid-write, exit 8), SIGPIPE and /dev/full on
# stdout, output files that survive a failed read, the dryrun state's lock, -l, -C/-s/-u.
add_test(NAME cli_signals_e2e
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/signals_e2e.sh $<TARGET_FILE:ispflash>
                 $<TARGET_FILE:ispf-emu>)
set_tests_properties(cli_signals_e2e PROPERTIES TIMEOUT 600)
