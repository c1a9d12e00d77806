/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --qmk PATH: the MCU and BOOTLOADER of a QMK keyboard folder, resolved as QMK does
 * (builddefs/build_keyboard.mk, lib/python/qmk/info.py), the subset that gives those two:
 * - the folders from keyboards/<top> down to PATH (at most 5 levels, QMK's limit), each
 *   with its rules.mk, info.json and keyboard.json;
 * - rules.mk files are read top folder first, as make includes them: "NAME = v" and
 *   "NAME := v" set, "NAME ?= v" sets only what is not set yet; '#' starts a comment,
 *   a trailing backslash continues the line;
 * - info.json / keyboard.json ("processor", "bootloader", "development_board") are
 *   merged top folder first, info.json before keyboard.json in one folder, so the
 *   keyboard's own files override its parents' (QMK's documented rule; its CLI has had
 *   the reverse order, qmk_firmware issue #19256);
 * - a rules.mk value wins over the JSON one (QMK turns the JSON into "?=" lines
 *   included after the rules.mk files);
 * - DEFAULT_FOLDER in PATH's own rules.mk moves to that folder, as QMK builds it.
 * What was found, and where, is logged (prefix "qmk").
 */
#ifndef ISPFLASH_QMK_H
#define ISPFLASH_QMK_H

#include <stdbool.h>
#include <stddef.h>

#include "ispflash/error.h"

#define QMK_VALUE_MAX 64
#define QMK_WHERE_MAX 320

struct qmk_value {
    bool set;
    char value[QMK_VALUE_MAX];
    char where[QMK_WHERE_MAX]; /* "keyboards/crkbd/rules.mk:12", ".../info.json" */
};

struct qmk_board {
    char keyboard[QMK_WHERE_MAX]; /* "crkbd/rev1" (below keyboards/), or the folder */
    struct qmk_value mcu, bootloader, f_cpu;
};

/* Read the keyboard folder path. ISPF_E_INPUT: the folder does not exist, or a file
 * cannot be read or is not valid JSON (file:line:column). Values not found stay unset. */
int qmk_read(const char *path, struct qmk_board *out, struct ispf_error *err);

/* One rules.mk line (comments and "export"/"override" removed, continuation joined):
 * an assignment "NAME op value" gives its kind, name and value (trimmed). */
enum qmk_assign {
    QMK_NOT_ASSIGN = 0,
    QMK_ASSIGN_SET,     /* =, :=, ::= */
    QMK_ASSIGN_DEFAULT, /* ?= */
    QMK_ASSIGN_APPEND,  /* += */
};
enum qmk_assign qmk_rules_line(const char *line, char *name, size_t nlen, char *value, size_t vlen);

/* The ispflash preset name for QMK's BOOTLOADER value on part_id with F_CPU f_cpu (NULL:
 * not known): "caterina" on an 8 MHz ATmega32U4 is the 3.3 V Pro Micro's
 * caterina-promicro8; everything else is the value itself. */
const char *qmk_bootloader_preset(const char *bootloader, const char *part_id, const char *f_cpu);

#endif
