# SPDX-License-Identifier: GPL-2.0-or-later
# Installation (README.md "Install", contrib/install.cmake): the layout of
# `cmake --install` and the generated completion, the udev rules against every id
# in the code, and the permission-denied message. Label "install".
add_test(NAME install_layout
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/layout.sh ${PROJECT_BINARY_DIR}
                 ${PROJECT_SOURCE_DIR})
add_test(NAME install_udev_rules
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/udev_rules.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(install_layout install_udev_rules PROPERTIES TIMEOUT 300 LABELS install)
if(ISPF_HAVE_LIBUSB)
  find_program(ISPF_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED) # (tests/usb.cmake comes later)
  add_test(NAME install_access
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/access.sh $<TARGET_FILE:ispflash>
                   $<TARGET_FILE:usb_emu> ${ISPF_UMOCKDEV_WRAPPER} ${ISPF_TEST_DATA})
  set_tests_properties(install_access PROPERTIES TIMEOUT 300 LABELS install)
endif()
