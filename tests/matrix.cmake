# SPDX-License-Identifier: GPL-2.0-or-later
# The fault matrix (tests/matrix/fault_matrix.py): the real ispflash against every
# emulator with every fault it can inject. fault_matrix runs the cells and writes the
# table to the build tree; fault_matrix_published fails when the committed
# docs/fault-matrix.md differs from it (regenerate: tools/fault-matrix.sh).
if(ISPF_HAVE_LIBUSB)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  find_program(ISPF_UMOCKDEV_WRAPPER umockdev-wrapper REQUIRED)
  set(ISPF_MATRIX_OUT ${CMAKE_BINARY_DIR}/fault-matrix.md)
  add_test(NAME fault_matrix
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/matrix/fault_matrix.py
                   --bin $<TARGET_FILE:ispflash> --emu $<TARGET_FILE:ispf-emu>
                   --usb-emu $<TARGET_FILE:usb_emu> --wrap ${ISPF_UMOCKDEV_WRAPPER}
                   --chatter ${CMAKE_CURRENT_SOURCE_DIR}/tools/chatter.py --out ${ISPF_MATRIX_OUT})
  set_tests_properties(fault_matrix PROPERTIES TIMEOUT 900 LABELS "matrix;e2e"
                       FIXTURES_SETUP fault_matrix_table)
  add_test(NAME fault_matrix_published
           COMMAND ${CMAKE_COMMAND} -E compare_files ${PROJECT_SOURCE_DIR}/docs/fault-matrix.md
                   ${ISPF_MATRIX_OUT})
  set_tests_properties(fault_matrix_published PROPERTIES LABELS matrix
                       FIXTURES_REQUIRED fault_matrix_table)
endif()
