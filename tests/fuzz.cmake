# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz harnesses without libFuzzer (fuzz/standalone_main.c), in every build: each
# runs its regression inputs (tests/data/fuzz-regress/<target>/: the inputs of the
# crashes fuzzing found, docs/fuzzing.md) and its seed corpus (fuzz/corpus/<target>/).
# A harness aborts on a violated invariant; a sanitizer build also catches memory errors.
include(${PROJECT_SOURCE_DIR}/fuzz/targets.cmake)
foreach(t ${ISPF_FUZZ_TARGETS})
  set(inputs "")
  foreach(d ${CMAKE_CURRENT_SOURCE_DIR}/data/fuzz-regress/${t} ${PROJECT_SOURCE_DIR}/fuzz/corpus/${t})
    if(IS_DIRECTORY ${d})
      list(APPEND inputs ${d})
    endif()
  endforeach()
  if(NOT inputs)
    continue()
  endif()
  ispf_fuzz_executable(fuzzrun_${t} ${t})
  target_sources(fuzzrun_${t} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/standalone_main.c)
  add_test(NAME fuzz_regress_${t} COMMAND fuzzrun_${t} ${inputs})
  set_tests_properties(fuzz_regress_${t} PROPERTIES TIMEOUT 300)
endforeach()
