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
