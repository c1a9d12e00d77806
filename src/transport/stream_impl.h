/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The byte-stream implementations behind stream.h (private to src/transport).
 */
#ifndef ISPFLASH_STREAM_IMPL_H
#define ISPFLASH_STREAM_IMPL_H

#include "transport/stream.h"

extern const struct stream_ops stream_serial_ops; /* serial.c: libserialport */
extern const struct stream_ops stream_tcp_ops;    /* tcp.c: net:HOST:PORT */

/* The test seam (fuzz/memstream.c): from now on every stream opens with these ops,
 * serial for a port name, net for net:HOST:PORT, instead of serial.c's and tcp.c's.
 * ispflash itself never calls it. */
void stream_use_ops(const struct stream_ops *serial, const struct stream_ops *net);

#endif
