# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-compile ispflash.exe for 64-bit Windows with Debian's mingw-w64
# (apt-get install gcc-mingw-w64-x86-64):
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
#   cmake --build build-win -j2
# Debian has no mingw builds of libusb-1.0, libserialport, nettle, libelf or jansson:
# each is used when pkg-config finds it under the target root, and left out otherwise
# (see docs/windows.md for what each one brings).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(ISPF_MINGW_TRIPLET x86_64-w64-mingw32)

set(CMAKE_C_COMPILER ${ISPF_MINGW_TRIPLET}-gcc)
set(CMAKE_RC_COMPILER ${ISPF_MINGW_TRIPLET}-windres)
set(CMAKE_FIND_ROOT_PATH /usr/${ISPF_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config must look at the target's libraries, never at the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/${ISPF_MINGW_TRIPLET}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# One self-contained .exe: libgcc and winpthread linked in, no DLL to ship beside it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
