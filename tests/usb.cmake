# SPDX-License-Identifier: GPL-2.0-or-later
# USB programmers (USBtiny, USBasp, AVRISP mkII) against emulated devices: usb_emu puts a firmware
# emulator behind a umockdev USB device node; the real ispflash (and avrdude, through
# libusb-0.1) runs under umockdev-wrapper and talks to it through the real libusb.
# Nothing here is skipped: missing umockdev/GLib is a configure error.
if(ISPF_HAVE_LIBUSB)
  pkg_check_modules(UMOCKDEV REQUIRED IMPORTED_TARGET umockdev-1.0)
  pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0 gobject-2.0)
  find_program(ISPF_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)

  add_executable(usb_emu usb/usb_emu.c usb/fw_usbtiny.c usb/fw_usbasp.c usb/fw_avrisp2.c)
  target_include_directories(usb_emu PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  # GLib headers are not -Wextra clean in C11 mode (G_DEFINE_AUTOPTR).
  target_compile_options(usb_emu PRIVATE -Wno-unused-parameter)
  target_link_libraries(usb_emu PRIVATE ispflash_core PkgConfig::UMOCKDEV PkgConfig::GLIB)

  # The synchronous USBDEVFS_BULK path and the bulk packet rules of the emulator.
  add_executable(usb_bulk_probe usb/usb_bulk_probe.c)
  add_test(NAME test_usb_bulk_ioctl
           COMMAND ${ISPF_UMOCKDEV_WRAPPER} $<TARGET_FILE:usb_emu> --proto avrisp2 --part m32u4
                   -- $<TARGET_FILE:usb_bulk_probe> /dev/bus/usb/001/002)
  set_tests_properties(test_usb_bulk_ioctl PROPERTIES TIMEOUT 60 LABELS usb)

  find_program(ISPF_AVRDUDE_USB avrdude)
  if(NOT ISPF_AVRDUDE_USB)
    set(ISPF_AVRDUDE_USB avrdude) # a missing avrdude fails the comparison tests
  endif()

  # One ctest per case of tests/usb/usb_cases.sh (each asserts exit code, messages,
  # and the chip image left in the emulator).
  set(ISPF_USB_CASES
      tiny_qmk_usb1286 asp_qmk_usb1286 tiny_wrap_proof asp_old_firmware asp_no_caps above_128k
      real_files_tiny real_files_asp fuses_eeprom_readback slow_sck_auto bitclock
      no_target unplug stall ioerr hang not_found access busy several serial_select
      avrdude_tiny avrdude_asp counts
      mk2_caterina mk2_lufa mk2_fuses_eeprom mk2_serial_select mk2_bitclock mk2_faults mk2_avrdude
      mk2_counts)
  foreach(case ${ISPF_USB_CASES})
    add_test(NAME usb_${case}
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/usb/usb_cases.sh ${case}
                     $<TARGET_FILE:ispflash> $<TARGET_FILE:usb_emu> ${ISPF_UMOCKDEV_WRAPPER}
                     ${ISPF_TEST_DATA} ${ISPF_AVRDUDE_USB})
    set_tests_properties(usb_${case} PROPERTIES TIMEOUT 300 LABELS usb)
  endforeach()
endif()

# The configuration without libusb (ISPF_WITH_LIBUSB=OFF), checked in every build:
# usb.c compiled with ISPF_HAVE_LIBUSB undefined replaces the library's copy.
ispf_unit_test(test_usb_nolib usb/test_usb_nolib.c ${PROJECT_SOURCE_DIR}/src/transport/usb.c)
set_source_files_properties(${PROJECT_SOURCE_DIR}/src/transport/usb.c TARGET_DIRECTORY test_usb_nolib
                            PROPERTIES COMPILE_OPTIONS "-UISPF_HAVE_LIBUSB")
