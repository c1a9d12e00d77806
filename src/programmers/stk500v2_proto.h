/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * STK500v2 (AVR068) message framing, without I/O: building a framed message and
 * a byte-at-a-time receiver that hunts for the start byte, checks the sequence
 * number, the token and the XOR checksum (protocols.md section 3.1).
 * Used by src/programmers/stk500v2.c; unit-tested in tests/unit/test_stk500v2_proto.c.
 */
#ifndef ISPFLASH_STK500V2_PROTO_H
#define ISPFLASH_STK500V2_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define STK2_MESSAGE_START 0x1Bu
#define STK2_TOKEN 0x0Eu
/* Largest message body STK500 firmware accepts (either direction). */
#define STK2_MAX_BODY 275u
/* Framing overhead: start, sequence, 2 size bytes, token, checksum. */
#define STK2_FRAME_OVERHEAD 6u

/* Command ids (AVR068). */
enum stk2_cmd {
    STK2_CMD_SIGN_ON = 0x01,
    STK2_CMD_SET_PARAMETER = 0x02,
    STK2_CMD_GET_PARAMETER = 0x03,
    STK2_CMD_LOAD_ADDRESS = 0x06,
    STK2_CMD_ENTER_PROGMODE_ISP = 0x10,
    STK2_CMD_LEAVE_PROGMODE_ISP = 0x11,
    STK2_CMD_CHIP_ERASE_ISP = 0x12,
    STK2_CMD_PROGRAM_FLASH_ISP = 0x13,
    STK2_CMD_READ_FLASH_ISP = 0x14,
    STK2_CMD_PROGRAM_EEPROM_ISP = 0x15,
    STK2_CMD_READ_EEPROM_ISP = 0x16,
    STK2_CMD_PROGRAM_FUSE_ISP = 0x17,
    STK2_CMD_READ_FUSE_ISP = 0x18,
    STK2_CMD_PROGRAM_LOCK_ISP = 0x19,
    STK2_CMD_READ_LOCK_ISP = 0x1A,
    STK2_CMD_READ_SIGNATURE_ISP = 0x1B,
    STK2_CMD_READ_OSCCAL_ISP = 0x1C,
    STK2_CMD_SPI_MULTI = 0x1D,
};

/* Answer body[0] when the programmer saw a bad checksum in our message. */
#define STK2_ANSWER_CKSUM_ERROR 0xB0u

enum stk2_status {
    STK2_STATUS_CMD_OK = 0x00,
    STK2_STATUS_CMD_TOUT = 0x80,
    STK2_STATUS_RDY_BSY_TOUT = 0x81,
    STK2_STATUS_SET_PARAM_MISSING = 0x82,
    STK2_STATUS_CMD_FAILED = 0xC0,
    STK2_STATUS_CKSUM_ERROR = 0xC1,
    STK2_STATUS_CMD_UNKNOWN = 0xC9,
    STK2_STATUS_ILLEGAL_PARAMETER = 0xCA,
};

enum stk2_param {
    STK2_PARAM_HW_VER = 0x90,
    STK2_PARAM_SW_MAJOR = 0x91,
    STK2_PARAM_SW_MINOR = 0x92,
    STK2_PARAM_VTARGET = 0x94,
    STK2_PARAM_VADJUST = 0x95,
    STK2_PARAM_OSC_PSCALE = 0x96,
    STK2_PARAM_OSC_CMATCH = 0x97,
    STK2_PARAM_SCK_DURATION = 0x98,
    STK2_PARAM_TOPCARD_DETECT = 0x9A,
    STK2_PARAM_STATUS = 0x9C,
    STK2_PARAM_DATA = 0x9D,
    STK2_PARAM_RESET_POLARITY = 0x9E,
    STK2_PARAM_CONTROLLER_INIT = 0x9F,
};

/* Write the framed message for body[0..len) with sequence number seq into out
 * (at least len + STK2_FRAME_OVERHEAD bytes). Returns the frame length. */
size_t stk2_frame(uint8_t *out, uint8_t seq, const uint8_t *body, size_t len);

/* XOR of len bytes. */
uint8_t stk2_xor(const uint8_t *buf, size_t len);

enum stk2_rx_result {
    STK2_RX_MORE = 0,   /* feed more bytes */
    STK2_RX_DONE = 1,   /* a complete answer with the right sequence and checksum */
    STK2_RX_BADSUM = 2, /* a complete answer whose checksum is wrong */
};

enum stk2_rx_state {
    STK2_RX_START,
    STK2_RX_SEQ,
    STK2_RX_SIZE1,
    STK2_RX_SIZE2,
    STK2_RX_TOKEN,
    STK2_RX_BODY,
    STK2_RX_CSUM,
};

/* Receiver state. Bytes that are not part of an answer with the expected
 * sequence number are skipped (counted in `skipped`); a start byte inside
 * garbage restarts the hunt. */
struct stk2_rx {
    enum stk2_rx_state state;
    uint8_t seq;   /* expected sequence number */
    uint16_t size; /* body length announced by the frame */
    uint16_t got;  /* body bytes received */
    uint8_t csum;  /* running XOR */
    uint8_t body[STK2_MAX_BODY];
    unsigned long skipped;    /* bytes discarded while hunting */
    unsigned long wrong_seq;  /* frames dropped for a wrong sequence number */
    unsigned long bad_frames; /* frames dropped for a bad token or size */
};

void stk2_rx_init(struct stk2_rx *rx, uint8_t expect_seq);
/* Feed one byte. On STK2_RX_DONE / STK2_RX_BADSUM, rx->body[0..rx->size) holds
 * the body; the receiver must be re-initialised before the next answer. */
enum stk2_rx_result stk2_rx_feed(struct stk2_rx *rx, uint8_t c);
/* Body bytes the receiver still needs before it can finish, if it is inside a
 * frame (lets the caller read them in one go); 0 while hunting/in the header. */
size_t stk2_rx_pending(const struct stk2_rx *rx);

/* Readable names for logs and messages. */
const char *stk2_cmd_name(uint8_t cmd);
const char *stk2_status_name(uint8_t status);

#endif
