# SPDX-License-Identifier: GPL-2.0-or-later
# The layer rule (docs/architecture.md): every #include in src/ points down.
add_test(NAME layers_point_down
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/layers/check_layers.sh ${PROJECT_SOURCE_DIR}/src)
# .clang-format is the arbiter of style.
add_test(NAME code_formatted
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/layers/check_format.sh ${PROJECT_SOURCE_DIR})
