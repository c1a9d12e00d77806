# SPDX-License-Identifier: GPL-2.0-or-later
# The user's configuration file (src/cli/config.c): unit tests, and end to end.
ispf_unit_test(test_config ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_config.c
               ${PROJECT_SOURCE_DIR}/src/cli/config.c ${PROJECT_SOURCE_DIR}/src/cli/opts.c)
target_include_directories(test_config PRIVATE ${PROJECT_SOURCE_DIR}/src/cli)
add_test(NAME config_e2e
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/config_e2e.sh $<TARGET_FILE:ispflash>
                 ${ISPF_TEST_DATA})
set_tests_properties(config_e2e PROPERTIES TIMEOUT 300)
