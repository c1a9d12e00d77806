# SPDX-License-Identifier: GPL-2.0-or-later
# Production records (issue 11): SHA-256, the JSON writer, serial numbers and their
# counter file, the board log.
#   test_sha256 / test_json / test_serialno / test_boardlog : cmocka unit tests
#   record_json_python      : the JSON writer's output read back by python3's json module
#   record_serialno_hammer  : 5 processes on one counter file, one killed with -9
#   record_boardlog_hammer  : 5 processes appending to one CSV / JSON Lines log, one
#                             killed with -9; read back by python3 csv / json
#   record_docs_match       : docs/production.md shows the columns the log writes
ispf_unit_test(test_sha256 unit/test_sha256.c)
ispf_unit_test(test_json unit/test_json.c)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  set(ISPF_RECORD_PYTHON3 ${Python3_EXECUTABLE})
else()
  # Keep the tests registered so that a missing python3 fails them instead of skipping.
  set(ISPF_RECORD_PYTHON3 python3)
endif()

add_executable(json_sample record/json_sample.c)
target_include_directories(json_sample PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(json_sample PRIVATE ispflash_core)
add_test(NAME record_json_python
         COMMAND bash -c "set -o pipefail; $<TARGET_FILE:json_sample> | ${ISPF_RECORD_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/record/json_check.py")
set_tests_properties(record_json_python PROPERTIES TIMEOUT 60)
ispf_unit_test(test_serialno unit/test_serialno.c)

# Several processes on one counter file, one killed with -9 mid-way.
add_executable(serialno_hammer unit/serialno_hammer.c)
target_link_libraries(serialno_hammer PRIVATE ispflash_core)
add_test(NAME record_serialno_hammer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/record/serialno_hammer.sh
                 $<TARGET_FILE:serialno_hammer>)
set_tests_properties(record_serialno_hammer PROPERTIES TIMEOUT 300)
ispf_unit_test(test_boardlog unit/test_boardlog.c)

# Several processes appending to one board log (CSV and JSON Lines), one killed with -9.
add_executable(boardlog_hammer unit/boardlog_hammer.c)
target_link_libraries(boardlog_hammer PRIVATE ispflash_core)
add_test(NAME record_boardlog_hammer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/record/boardlog_hammer.sh
                 $<TARGET_FILE:boardlog_hammer> ${ISPF_RECORD_PYTHON3}
                 ${CMAKE_CURRENT_SOURCE_DIR}/record/boardlog_check.py)
set_tests_properties(record_boardlog_hammer PROPERTIES TIMEOUT 300)

# docs/production.md shows the columns and fields the log really writes.
add_test(NAME record_docs_match
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/record/docs_match.sh
                 $<TARGET_FILE:boardlog_hammer> ${PROJECT_SOURCE_DIR}/docs/production.md)
set_tests_properties(record_docs_match PROPERTIES TIMEOUT 60)
