# SPDX-License-Identifier: GPL-2.0-or-later
# Image, Intel HEX and the other file formats.
#   test_image / test_ihex : cmocka unit tests (malformed corpus in data/malformed,
#                            real files in data/real)
#   hex_tools_compare      : our reader and writer against srec_cat (srecord) and
#                            objcopy/objdump (binutils), byte by byte and segment by
#                            segment, on every file in data/real. It fails, never
#                            skips, when those tools are missing.
ispf_unit_test(test_image unit/test_image.c)
ispf_unit_test(test_ihex unit/test_ihex.c)

add_executable(hexcheck hex/hexcheck.c)
target_link_libraries(hexcheck PRIVATE ispflash_core)
add_test(NAME hex_tools_compare COMMAND hexcheck ${ISPF_TEST_DATA}/real)
set_tests_properties(hex_tools_compare PROPERTIES TIMEOUT 600)
