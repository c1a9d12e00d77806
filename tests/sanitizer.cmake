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

# ispf_sanitizer_reports(TEST...): in a sanitizer build, each test's programs, the ones
# its scripts start in the background included (emulators, bridges: their exit status
# and their logs go unread), append every sanitizer report's summary to
# sanitizer-reports/TEST.log (ISPF_SANITIZER_REPORTS, src/base/sanitizer_defaults.c);
# sanitizer_reports runs after the tests (a CTest fixture cleanup) and fails, naming
# the tests and the programs, when any report was written. sanitizer_exitcode makes
# reports on purpose and checks them itself.
function(ispf_sanitizer_reports)
  if(NOT ISPF_SANITIZE)
    return()
  endif()
  set(dir ${CMAKE_BINARY_DIR}/sanitizer-reports)
  add_test(NAME sanitizer_reports_reset
           COMMAND sh -c "rm -rf \"$0\" && mkdir -p \"$0\"" ${dir})
  set_tests_properties(sanitizer_reports_reset PROPERTIES FIXTURES_SETUP sanitizer_reports)
  add_test(NAME sanitizer_reports COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/sanitizer/reports.sh ${dir})
  set_tests_properties(sanitizer_reports PROPERTIES FIXTURES_CLEANUP sanitizer_reports)
  foreach(t ${ARGN})
    if(NOT t STREQUAL "sanitizer_exitcode")
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
                   "ISPF_SANITIZER_REPORTS=${dir}/${t}.log")
      set_property(TEST ${t} APPEND PROPERTY FIXTURES_REQUIRED sanitizer_reports)
    endif()
  endforeach()
endfunction()
