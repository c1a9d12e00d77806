# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz targets, shared by the libFuzzer build (fuzz/CMakeLists.txt, -DISPF_FUZZ=ON,
# clang) and the plain regression build (tests/fuzz.cmake: fuzz/standalone_main.c).
set(ISPF_FUZZ_DIR ${PROJECT_SOURCE_DIR}/fuzz)
set(ISPF_FUZZ_TARGETS
    ihex fileformat elf immediate opts memfile merge qmk fusefield serialno
    pgm_arduino pgm_avrisp pgm_stk500v2 pgm_stk500 pgm_buspirate pgm_avr109
    pgm_usbtiny pgm_usbasp)

# ispf_fuzz_executable(EXE NAME): the executable EXE of fuzz target NAME (without a
# main: the caller adds libFuzzer or standalone_main.c).
function(ispf_fuzz_executable exe name)
  if(name MATCHES "^pgm_(.*)$")
    add_executable(${exe} ${ISPF_FUZZ_DIR}/fuzz_pgm.c ${ISPF_FUZZ_DIR}/memstream.c)
    target_compile_definitions(${exe} PRIVATE FUZZ_PGM="${CMAKE_MATCH_1}")
    # memstream.c replaces the transport's stream ops and the clock (see there); should a
    # member of the library holding them be linked for another symbol, its copy loses.
    target_link_options(${exe} PRIVATE -Wl,--allow-multiple-definition)
    if(name MATCHES "^pgm_usb")
      # memusb.c: every function of src/transport/usb.h, on a scripted device.
      target_sources(${exe} PRIVATE ${ISPF_FUZZ_DIR}/memusb.c)
      target_compile_definitions(${exe} PRIVATE FUZZ_PGM_USB=1)
    endif()
  else()
    add_executable(${exe} ${ISPF_FUZZ_DIR}/fuzz_${name}.c)
  endif()
  target_sources(${exe} PRIVATE ${ISPF_FUZZ_DIR}/util.c)
  if(name STREQUAL "opts")
    target_sources(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/src/cli/opts.c)
  endif()
  target_include_directories(${exe} PRIVATE ${PROJECT_SOURCE_DIR}/src ${ISPF_FUZZ_DIR})
  target_link_libraries(${exe} PRIVATE ispflash_core)
endfunction()
