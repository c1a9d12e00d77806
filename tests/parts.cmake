# SPDX-License-Identifier: GPL-2.0-or-later
# The part database: unit tests, and a cross-check of every part against avrdude.conf.

ispf_unit_test(test_part unit/test_part.c)

# Prints the database, one part per line, for the cross-check script.
add_executable(parts_dump parts/dump_parts.c)
target_link_libraries(parts_dump PRIVATE ispflash_core)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(ISPF_PYTHON3 ${Python3_EXECUTABLE})
else()
  # Keep the tests registered so that a missing python3 fails them instead of skipping.
  set(ISPF_PYTHON3 python3)
endif()
find_program(ISPF_AVRDUDE avrdude)
if(NOT ISPF_AVRDUDE)
  set(ISPF_AVRDUDE avrdude)
endif()

# Signature, sizes, page sizes, fuses present and their bits, delays and codes of every
# part, compared with `avrdude -p ID/S`. Needs avrdude (installed by .ci/run).
add_test(NAME parts_crosscheck_avrdude
         COMMAND ${ISPF_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/parts/crosscheck.py
                 $<TARGET_FILE:parts_dump> ${ISPF_AVRDUDE})
set_tests_properties(parts_crosscheck_avrdude PROPERTIES TIMEOUT 120)

# src/core/partdb.c and docs/parts.md are what tools/gen_partdb.py makes of its inputs.
add_test(NAME parts_generated_up_to_date
         COMMAND ${ISPF_PYTHON3} ${PROJECT_SOURCE_DIR}/tools/gen_partdb.py --check)
set_tests_properties(parts_generated_up_to_date PROPERTIES TIMEOUT 120)
