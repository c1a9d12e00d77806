# SPDX-License-Identifier: GPL-2.0-or-later
# Know what is on the chip: bootloader fingerprints, --identify, ispflash info, the map.
#   test_fingerprint : cmocka: every real image in tests/data/real recognised as its
#                      bootloader, applications not; changed/shifted/wrong part no match
#   test_memmap      : cmocka: the bar and the ranges for known images
#   fingerprints_generated_up_to_date : src/core/fingerprint_db.c is what
#                      tools/gen_fingerprints.py makes of tests/data/real
#   identify_e2e     : --identify on dryrun chips holding each real bootloader (right
#                      and wrong fuses, the fix command run), empty, foreign code, an
#                      application; flash read bounded (dryrun instruction count)
#   identify_emu     : --identify over the ArduinoISP emulator (its byte counters bound
#                      the flash read) and through Optiboot as programmer (-c arduino:
#                      no fuses, still named)
#   info_e2e         : ispflash info on every real HEX file, -p fit, --bootloader
#                      agree/disagree, the map compared with an expected text
ispf_unit_test(test_fingerprint ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_fingerprint.c)
ispf_unit_test(test_memmap ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_memmap.c)

if(NOT ISPF_PYTHON3)
  set(ISPF_PYTHON3 python3)
endif()
add_test(NAME fingerprints_generated_up_to_date
         COMMAND ${ISPF_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/gen_fingerprints.py --check)
set_tests_properties(fingerprints_generated_up_to_date PROPERTIES TIMEOUT 120)

add_test(NAME identify_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/identify/identify_e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(identify_e2e PROPERTIES TIMEOUT 600)

add_test(NAME info_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/identify/info_e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(info_e2e PROPERTIES TIMEOUT 300)

add_test(NAME identify_emu
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/identify/identify_emu.sh $<TARGET_FILE:ispflash>
                 $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA})
set_tests_properties(identify_emu PROPERTIES TIMEOUT 300)

# valgrind: info on a combined file and an ELF file, and
# --identify on a dryrun AT90USB1286 holding its DFU, free of memory errors and leaks.
find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME info_valgrind
           COMMAND ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
                   $<TARGET_FILE:ispflash> info -p m32u4 --bootloader caterina-leonardo
                   ${ISPF_TEST_DATA}/real/arduino_Caterina-Leonardo.hex ${ISPF_TEST_DATA}/elf/fw_m32u4.elf)
  set_tests_properties(info_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
  add_test(NAME identify_valgrind
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/identify/identify_valgrind.sh ${VALGRIND}
                   $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
  set_tests_properties(identify_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
endif()
