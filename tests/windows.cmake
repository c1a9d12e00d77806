# SPDX-License-Identifier: GPL-2.0-or-later
# Windows (issue 14): the built-in SHA-256 (used without nettle) against nettle, and
# ispflash.exe cross-built with mingw-w64 and run under wine (tests/windows/e2e.sh;
# skipped when x86_64-w64-mingw32-gcc or wine is missing).
if(ISPF_HAVE_NETTLE)
  ispf_unit_test(test_sha256_own unit/test_sha256_own.c ${PROJECT_SOURCE_DIR}/src/base/sha256_own.c)
else()
  ispf_unit_test(test_sha256_own unit/test_sha256_own.c)
endif()
add_test(NAME windows_e2e
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/windows/e2e.sh ${PROJECT_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR}/windows $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu>)
set_tests_properties(windows_e2e PROPERTIES TIMEOUT 900 LABELS "windows;e2e" SKIP_RETURN_CODE 77
                                            RUN_SERIAL TRUE)
