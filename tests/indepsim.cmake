# SPDX-License-Identifier: GPL-2.0-or-later
# A second opinion on the fault matrix (issue 15): tests/indepsim/sim.py, an ArduinoISP
# and STK500v2 model written from the protocol documents without reading tests/emu or
# the backends, runs every fault it shares with docs/fault-matrix.md against the real
# ispflash (compare.py); avrdude programs the same model (tests/indepsim/README.md).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME indepsim_matrix
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/indepsim/compare.py
                 --bin ${ISPF_BIN} --src ${PROJECT_SOURCE_DIR})
set_tests_properties(indepsim_matrix PROPERTIES TIMEOUT 600 LABELS "matrix;e2e")
find_program(ISPF_AVRDUDE avrdude)
if(ISPF_AVRDUDE)
  add_test(NAME indepsim_avrdude
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/indepsim/compare.py
                   --bin ${ISPF_BIN} --src ${PROJECT_SOURCE_DIR} --avrdude ${ISPF_AVRDUDE}
                   --avrdude-only)
  set_tests_properties(indepsim_avrdude PROPERTIES TIMEOUT 300 LABELS "matrix;e2e")
endif()
