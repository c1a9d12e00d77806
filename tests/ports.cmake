# SPDX-License-Identifier: GPL-2.0-or-later
# Finding the programmer (docs/ports.md): the USB identity table (unit), and -P ?,
# -P usb:VID:PID, no -P and the bootloader-port warning end to end on emulated
# serial ports (ispf-emu --tty-record) and USB devices (usb_emu).
ispf_unit_test(test_usbids ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_usbids.c)
set_tests_properties(test_usbids PROPERTIES LABELS "ports;unit")

if(ISPF_HAVE_LIBUSB)
  find_program(ISPF_PORTS_WRAPPER umockdev-wrapper REQUIRED)
  set(ISPF_PORTS_CASES
      list_ttys list_usbtiny list_usbasp list_dfu list_access usb_pick usb_pick_serial usb_nomatch usb_two
      usb_bad auto_one auto_log auto_buspirate auto_only auto_other auto_two auto_none bootloader_warn)
  foreach(case ${ISPF_PORTS_CASES})
    add_test(NAME ports_${case}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/ports/ports_cases.sh ${case}
                     $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> $<TARGET_FILE:usb_emu>
                     ${ISPF_PORTS_WRAPPER} ${ISPF_TEST_DATA})
    set_tests_properties(ports_${case} PROPERTIES TIMEOUT 200 LABELS "ports;e2e")
  endforeach()
endif()
