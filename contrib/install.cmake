# SPDX-License-Identifier: GPL-2.0-or-later
# What `cmake --install` lays out, and the .deb CPack builds from it (README.md
# "Install", .ci/deb.sh). Included from the top-level CMakeLists.txt.

install(TARGETS ispflash RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Debian wants man pages and the changelog compressed (gzip -n: no time stamp, so
# the package is reproducible); without gzip the man page goes in as it is.
find_program(ISPF_GZIP gzip)
set(ISPF_PKG_DIR ${PROJECT_BINARY_DIR}/pkg)
string(TIMESTAMP ISPF_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
if(ISPF_GIT_REV)
  set(ISPF_GIT_REV_OR_RELEASE "git ${ISPF_GIT_REV}")
else()
  set(ISPF_GIT_REV_OR_RELEASE "release ${PROJECT_VERSION}")
endif()
set(ISPF_MAINTAINER "ispflash maintainers <maintainers@users.noreply.r-seed-b5377bf6.example>"
    CACHE STRING "The .deb's Maintainer field")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ISPF_MAINTAINER}")
configure_file(${PROJECT_SOURCE_DIR}/contrib/debian/changelog.in ${ISPF_PKG_DIR}/changelog @ONLY)
if(ISPF_GZIP)
  add_custom_command(OUTPUT ${ISPF_PKG_DIR}/ispflash.1.gz ${ISPF_PKG_DIR}/changelog.gz
                     COMMAND ${ISPF_GZIP} -9n -c ${PROJECT_SOURCE_DIR}/docs/ispflash.1 > ${ISPF_PKG_DIR}/ispflash.1.gz
                     COMMAND ${ISPF_GZIP} -9n -c ${ISPF_PKG_DIR}/changelog > ${ISPF_PKG_DIR}/changelog.gz
                     DEPENDS ${PROJECT_SOURCE_DIR}/docs/ispflash.1 ${ISPF_PKG_DIR}/changelog
                     VERBATIM)
  add_custom_target(ispflash_gz ALL DEPENDS ${ISPF_PKG_DIR}/ispflash.1.gz ${ISPF_PKG_DIR}/changelog.gz)
  install(FILES ${ISPF_PKG_DIR}/ispflash.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${ISPF_PKG_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})
else()
  install(FILES docs/ispflash.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

# Shell completions, generated from the binary's own tables (tools/gen_completion.py).
# A cross build cannot run its binary: it installs none.
find_package(Python3 COMPONENTS Interpreter)
if(NOT CMAKE_CROSSCOMPILING AND Python3_Interpreter_FOUND)
  set(ISPF_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completion)
  add_custom_command(OUTPUT ${ISPF_COMPLETION_DIR}/ispflash ${ISPF_COMPLETION_DIR}/_ispflash
                     COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/gen_completion.py
                             $<TARGET_FILE:ispflash> ${ISPF_COMPLETION_DIR}
                     DEPENDS ispflash ${PROJECT_SOURCE_DIR}/tools/gen_completion.py
                     VERBATIM)
  add_custom_target(ispflash_completion ALL
                    DEPENDS ${ISPF_COMPLETION_DIR}/ispflash ${ISPF_COMPLETION_DIR}/_ispflash)
  install(FILES ${ISPF_COMPLETION_DIR}/ispflash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${ISPF_COMPLETION_DIR}/_ispflash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
endif()

install(FILES contrib/udev/60-ispflash.rules DESTINATION ${ISPF_UDEV_RULES_DIR})

file(GLOB ISPF_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${ISPF_DOCS} contrib/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb: cpack -G DEB in a build configured with -DCMAKE_INSTALL_PREFIX=/usr.
set(CPACK_PACKAGE_NAME ispflash)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${ISPF_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "program AVR microcontrollers over ISP (avrdude-compatible)")
# CPack puts the summary first: this is the extended description after it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "ispflash (re)flashes bootloaders and firmware, sets fuses and lock bits,
verifies and reads back AVR chips over ISP, with avrdude's everyday
options. It drives ArduinoISP, STK500v1/v2, Bus Pirate, AVR109, USBtiny
and USBasp programmers, has a built-in simulated chip (-c dryrun), guards
against fuse settings that would lock a chip out, and programs boards in
batches. Its users are keyboard builders following QMK's ISP flashing
guide and small shops making boards.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION electronics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
