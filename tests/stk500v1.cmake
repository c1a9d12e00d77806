# SPDX-License-Identifier: GPL-2.0-or-later
# STK500v1 / ArduinoISP: the serial-programmer emulator harness (ispf-emu, shared
# with the other serial protocol emulators), the LD_PRELOAD tty shim, backend unit
# tests against the emulator, and end-to-end runs of ispflash and avrdude.
pkg_check_modules(UMOCKDEV REQUIRED IMPORTED_TARGET umockdev-1.0)

# Every protocol emulator tests/emu/emu_*.c except the harness and the shim.
file(GLOB ISPF_EMU_PROTOCOL_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/emu/emu_*.c)
list(FILTER ISPF_EMU_PROTOCOL_SOURCES EXCLUDE REGEX "/emu_(main|ttyshim)\\.c$")

# The shim is preloaded into arbitrary programs (ispflash, avrdude): build it
# without the sanitizer runtime, whatever the build type.
add_library(ispf_ttyshim MODULE ${CMAKE_CURRENT_SOURCE_DIR}/emu/emu_ttyshim.c)
set_property(TARGET ispf_ttyshim PROPERTY COMPILE_OPTIONS -Wall -Wextra -Werror)
set_property(TARGET ispf_ttyshim PROPERTY LINK_OPTIONS "")
# nor the sanitizer build's defaults object (CMakeLists.txt link_libraries)
set_property(TARGET ispf_ttyshim PROPERTY LINK_LIBRARIES "")
target_link_libraries(ispf_ttyshim PRIVATE ${CMAKE_DL_LIBS})

add_executable(ispf-emu ${CMAKE_CURRENT_SOURCE_DIR}/emu/emu_main.c ${ISPF_EMU_PROTOCOL_SOURCES})
target_include_directories(ispf-emu PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(ispf-emu PRIVATE ispflash_core PkgConfig::UMOCKDEV)
target_compile_definitions(ispf-emu PRIVATE ISPF_TTYSHIM_PATH="$<TARGET_FILE:ispf_ttyshim>")
add_dependencies(ispf-emu ispf_ttyshim)

# Units: stream layer error paths, backend sync against scripted peers.
find_package(Threads REQUIRED)
ispf_unit_test(test_stk500v1 ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_stk500v1.c)
target_link_libraries(test_stk500v1 PRIVATE Threads::Threads)
set_tests_properties(test_stk500v1 PROPERTIES LABELS "stk500v1;unit")

# End-to-end runs of the real binary against the emulator (and avrdude 7.1).
foreach(t tcp faults tty avrdude arduino chatty)
  add_test(NAME stk500v1_e2e_${t}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500v1/e2e_${t}.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA})
  set_tests_properties(stk500v1_e2e_${t} PROPERTIES TIMEOUT 300 LABELS "stk500v1;e2e")
endforeach()

find_program(VALGRIND valgrind)
if(VALGRIND)
  add_test(NAME stk500v1_valgrind
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/stk500v1/e2e_valgrind.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_TEST_DATA})
  set_tests_properties(stk500v1_valgrind PROPERTIES TIMEOUT 300 LABELS "stk500v1;no-sanitizer")
endif()
