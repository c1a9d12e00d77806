# SPDX-License-Identifier: GPL-2.0-or-later
# net: transport (issue 10): no round trip waits on a delayed ACK through a
# Nagle bridge or an emulator that splits its replies, per protocol; every wait
# on a TCP port ends (refused connect, chatty ports).
set(ISPF_NET_TOOLS ${CMAKE_CURRENT_SOURCE_DIR}/tools)
foreach(pp "arduinoisp;avrisp" "stk500v2;stk500v2" "buspirate;buspirate")
  list(GET pp 0 proto)
  list(GET pp 1 pgm)
  add_test(NAME net_nagle_${proto}
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/net/e2e_nagle.sh
                   $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_NET_TOOLS} ${proto} ${pgm})
  set_tests_properties(net_nagle_${proto} PROPERTIES TIMEOUT 200 LABELS "net;e2e")
endforeach()
add_test(NAME net_waits
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/net/e2e_waits.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_NET_TOOLS})
set_tests_properties(net_waits PROPERTIES TIMEOUT 120 LABELS "net;e2e")
# STK500v2 against a chatty port: needs stk2_receive to give up on a port that
# never sends a frame (src/programmers/stk500v2.c, issue 10 section 2).
add_test(NAME net_waits_stk500v2
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/net/e2e_waits.sh
                 $<TARGET_FILE:ispflash> $<TARGET_FILE:ispf-emu> ${ISPF_NET_TOOLS} stk500v2)
set_tests_properties(net_waits_stk500v2 PROPERTIES TIMEOUT 120 LABELS "net;e2e")
