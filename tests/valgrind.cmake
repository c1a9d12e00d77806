# SPDX-License-Identifier: GPL-2.0-or-later
# Every backend's end-to-end path under valgrind memcheck (issue 15), the USB ones under
# umockdev-wrapper: tests/valgrind/backends.sh, docs/valgrind.md. The STK500v1 and
# dryrun paths have theirs in tests/stk500v1.cmake and tests/cli.cmake.
find_program(VALGRIND valgrind)
if(VALGRIND)
  set(ISPF_VG_CASES stk500v2 buspirate avr109 arduino)
  if(ISPF_HAVE_LIBUSB)
    find_program(ISPF_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED) # usb.cmake comes later
    list(APPEND ISPF_VG_CASES usbtiny usbasp avrisp2)
    set(ISPF_VG_USB $<TARGET_FILE:usb_emu> ${ISPF_UMOCKDEV_WRAPPER})
  else()
    set(ISPF_VG_USB none none)
  endif()
  foreach(c ${ISPF_VG_CASES})
    add_test(NAME valgrind_${c}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/valgrind/backends.sh ${c} ${VALGRIND}
                     ${ISPF_BIN} $<TARGET_FILE:ispf-emu> ${ISPF_VG_USB} ${ISPF_TEST_DATA})
    set_tests_properties(valgrind_${c} PROPERTIES TIMEOUT 600 LABELS "no-sanitizer;valgrind")
  endforeach()
endif()
