# SPDX-License-Identifier: GPL-2.0-or-later
# The target socket (src/sim/avrsocket.c): a board taken away and another one put
# in while the programmer stays connected; dryrun -x target=FILE and the emulators'
# --target-file FILE, with ispflash and avrdude as clients.
find_package(Threads REQUIRED)
ispf_unit_test(test_avrsocket ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_avrsocket.c)
target_link_libraries(test_avrsocket PRIVATE Threads::Threads)
set_tests_properties(test_avrsocket PROPERTIES LABELS "hotplug;unit")

# ispflash runs one after another on the dryrun socket, and through ispf-emu.
add_test(NAME hotplug_dryrun
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/dryrun.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA})
set_tests_properties(hotplug_dryrun PROPERTIES TIMEOUT 300 LABELS "hotplug;e2e")
foreach(proto arduinoisp stk500v2)
  add_test(NAME hotplug_emu_${proto}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/emu.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} ${proto})
  set_tests_properties(hotplug_emu_${proto} PROPERTIES TIMEOUT 300 LABELS "hotplug;e2e")
endforeach()

# avrdude 7.1 as the independent client of the emulators' socket (installed with the
# other test tools; the script fails if it is missing).
foreach(proto arduinoisp stk500v2)
  add_test(NAME hotplug_avrdude_${proto}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/avrdude.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA} ${proto})
  set_tests_properties(hotplug_avrdude_${proto} PROPERTIES TIMEOUT 300 LABELS "hotplug;e2e")
endforeach()

# The USB programmers' emulator (tests/usb.cmake builds usb_emu when libusb is on).
if(ISPF_HAVE_LIBUSB)
  find_program(ISPF_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED) # usb.cmake comes later
  foreach(proto usbtiny usbasp)
    add_test(NAME hotplug_usb_${proto}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hotplug/usb.sh
                     $<TARGET_FILE:ispflash> $<TARGET_FILE:usb_emu> ${ISPF_TEST_DATA} ${proto}
                     ${ISPF_UMOCKDEV_WRAPPER})
    set_tests_properties(hotplug_usb_${proto} PROPERTIES TIMEOUT 300 LABELS "hotplug;usb;e2e")
  endforeach()
endif()
