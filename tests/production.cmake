# SPDX-License-Identifier: GPL-2.0-or-later
# Production (docs/production.md): --batch with target swaps, --serial, --log, --json,
# several -P at once.
add_test(NAME production_batch_dryrun
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/production/batch_dryrun.sh
                 $<TARGET_FILE:ispflash> ${CMAKE_CURRENT_SOURCE_DIR}/data/real
                 ${PROJECT_SOURCE_DIR}/docs/json-schema.json)
set_tests_properties(production_batch_dryrun PROPERTIES TIMEOUT 300 LABELS e2e)

# The same through the emulated ArduinoISP and STK500v2 programmers (target sockets),
# four programmers at once, one without a board and one that dies.
add_test(NAME production_batch_emu
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/production/batch_emu.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${CMAKE_CURRENT_SOURCE_DIR}/data/real)
set_tests_properties(production_batch_emu PROPERTIES TIMEOUT 300 LABELS e2e)

# The backup before a chip is overwritten, its restore, and memory lists (-U ALL, a,b).
add_test(NAME production_backup
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/production/backup.sh $<TARGET_FILE:ispflash>
                 ${CMAKE_CURRENT_SOURCE_DIR}/data/real)
set_tests_properties(production_backup PROPERTIES TIMEOUT 300 LABELS e2e)

# valgrind over two threads, serial numbers, the log and --json (and a failing port).
find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME production_valgrind
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/production/valgrind.sh ${VALGRIND}
                   $<TARGET_FILE:ispflash> ${CMAKE_CURRENT_SOURCE_DIR}/data/real)
  set_tests_properties(production_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
endif()
