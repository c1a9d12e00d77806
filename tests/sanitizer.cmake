# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15: a sanitizer's or valgrind's exit code can never pass for a documented exit
# code (src/base/sanitizer_defaults.c). Without a sanitizer build the test checks the
# codes only; with one, it also makes each sanitizer report once (tests/sanitizer/probe.c)
# and checks ispflash and the emulators default to that code.
set(ISPF_SANITIZER_EXITCODE 86) # = src/base/sanitizer_defaults.h
if(ISPF_SANITIZE)
  add_executable(sanitizer_probe sanitizer/probe.c)
  set(ISPF_SANITIZER_PROBE $<TARGET_FILE:sanitizer_probe> $<TARGET_FILE:ispf-emu>)
  if(ISPF_HAVE_LIBUSB) # usb_emu (tests/usb.cmake comes later)
    list(APPEND ISPF_SANITIZER_PROBE $<TARGET_FILE:usb_emu>)
  endif()
endif()
add_test(NAME sanitizer_exitcode
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer/exitcode.sh
                 ${PROJECT_SOURCE_DIR}/docs/ispflash.1 ${ISPF_BIN} ${ISPF_SANITIZER_EXITCODE}
                 ${ISPF_SANITIZER_PROBE})
set_tests_properties(sanitizer_exitcode PROPERTIES TIMEOUT 60)
