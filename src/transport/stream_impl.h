/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The byte-stream implementations behind stream.h (private to src/transport).
 */
#ifndef ISPFLASH_STREAM_IMPL_H
#define ISPFLASH_STREAM_IMPL_H

#include "transport/stream.h"

extern const struct stream_ops stream_serial_ops; /* serial.c: libserialport */
extern const struct stream_ops stream_tcp_ops;    /* tcp.c: net:HOST:PORT */

#endif
