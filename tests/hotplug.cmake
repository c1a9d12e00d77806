# SPDX-License-Identifier: GPL-2.0-or-later
# The target socket (src/sim/avrsocket.c): a board taken away and another one put
# in while the programmer stays connected; dryrun -x target=FILE and the emulators'
# --target-file FILE, with ispflash and avrdude as clients.
find_package(Threads REQUIRED)
ispf_unit_test(test_avrsocket ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_avrsocket.c)
target_link_libraries(test_avrsocket PRIVATE Threads::Threads)
set_tests_properties(test_avrsocket PROPERTIES LABELS "hotplug;unit")
