# SPDX-License-Identifier: GPL-2.0-or-later
# One image: ispflash merge, and ELF input (-U mem:w:FILE.elf, merge inputs).
#   test_merge       : cmocka: conflicts, FILE@OFFSET, fit, boot section; the ELF
#                      reader on tests/data/elf (address spaces, non-AVR, every prefix)
#   merge_e2e        : the binary: merge vs srec_cat, record structure, the merged QMK
#                      image written and verified on dryrun in one run, offsets,
#                      conflicts, boot section, fit, usage errors, ELF inputs
#   elf_e2e          : -U with ELF files on dryrun, read back and compared with
#                      avr-objcopy's output committed next to the files
#   elf_rebuilt_vs_avr_objcopy : when avr-gcc and avr-objcopy are installed (CI
#                      installs them), tests/data/elf/make.sh into a temporary folder
#                      and ispflash's reading of the fresh files vs avr-objcopy's
#   merge_valgrind*  : a merge and a conflict under valgrind (when installed)
ispf_unit_test(test_merge ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_merge.c)

add_test(NAME merge_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/merge/merge_e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA})
set_tests_properties(merge_e2e PROPERTIES TIMEOUT 300)

add_test(NAME elf_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/merge/elf_e2e.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA}/elf)
set_tests_properties(elf_e2e PROPERTIES TIMEOUT 300)

find_program(AVR_GCC avr-gcc)
find_program(AVR_OBJCOPY avr-objcopy)
if(AVR_GCC AND AVR_OBJCOPY)
  add_test(NAME elf_rebuilt_vs_avr_objcopy
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/merge/elf_rebuilt.sh $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA}/elf)
  set_tests_properties(elf_rebuilt_vs_avr_objcopy PROPERTIES TIMEOUT 300)
endif()

# valgrind: merging ELF, HEX and raw inputs, and a conflict, free of memory errors and leaks.
find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME merge_valgrind
           COMMAND ${VALGRIND} --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
                   $<TARGET_FILE:ispflash> merge -q -o - -p m32u4 --bootloader atmel-dfu
                   ${ISPF_TEST_DATA}/elf/fw_m32u4.elf ${ISPF_TEST_DATA}/real/qmk_bootloader_atmega32u4_1_0_0.hex
                   ${ISPF_TEST_DATA}/elf/fw_m32u4.flash.hex)
  set_tests_properties(merge_valgrind PROPERTIES LABELS no-sanitizer TIMEOUT 300)
  # A conflict must exit 3, not 99 (valgrind's errors) nor anything else.
  add_test(NAME merge_valgrind_conflict
           COMMAND sh -c "\"$0\" --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \"$1\" merge -q -o - \"$2\" \"$3\"; test $? = 3"
                   ${VALGRIND} $<TARGET_FILE:ispflash> ${ISPF_TEST_DATA}/real/sparkfun_Caterina-promicro16.hex
                   ${ISPF_TEST_DATA}/elf/boot_m32u4.elf)
  set_tests_properties(merge_valgrind_conflict PROPERTIES LABELS no-sanitizer TIMEOUT 300)
endif()
