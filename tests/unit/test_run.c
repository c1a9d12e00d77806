// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of run_execute (src/core/run.c) as a library call, without the CLI: on the
 * dryrun chip (state in a temporary file), with a log sink that collects every message.
 * The fuse plan (guards, -n, --jtag alone, preset conflicts), the erase decision, and
 * that the run tells the user everything through ispf_log / the --fuses callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ispflash/interrupt.h"
#include "ispflash/log.h"
#include "ispflash/programmer.h"
#include "ispflash/run.h"

static char test_log[65536];

static void test_sink(void *ctx, enum ispf_log_level level, const char *prefix, const char *msg)
{
    (void)ctx;
    (void)prefix;
    size_t n = strlen(test_log);
    snprintf(test_log + n, sizeof test_log - n, "%s%s\n", level == ISPF_LOG_WARN ? "warning: " : "",
             msg);
}

static void assert_logged(const char *needle)
{
    if (!strstr(test_log, needle))
        fail_msg("expected \"%s\" in the log:\n%s", needle, test_log);
}

static void assert_not_logged(const char *needle)
{
    if (strstr(test_log, needle))
        fail_msg("did not expect \"%s\" in the log:\n%s", needle, test_log);
}

struct fixture {
    char dir[64];
    char state[96]; /* "state=DIR/chip" */
    const char *xopts[1];
    struct image img[4];
    struct run_op ops[4];
    size_t n;
};

static int setup(void **st)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_run.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->state, sizeof f->state, "state=%s/chip", f->dir);
    f->xopts[0] = f->state;
    for (int i = 0; i < 4; i++)
        image_init(&f->img[i]);
    test_log[0] = '\0';
    ispf_log_set_sink(test_sink, NULL);
    ispf_log_set_level(ISPF_LOG_INFO);
    *st = f;
    return 0;
}

static int teardown(void **st)
{
    struct fixture *f = *st;
    char path[128];
    snprintf(path, sizeof path, "%s/chip", f->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/chip.lock", f->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/out", f->dir);
    unlink(path);
    rmdir(f->dir);
    for (int i = 0; i < 4; i++)
        image_free(&f->img[i]);
    free(f);
    ispf_log_set_sink(NULL, NULL);
    return 0;
}

static struct run_spec spec_for(struct fixture *f)
{
    struct run_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.session.programmer = pgm_registry_find("dryrun");
    sp.session.part = part_find("m32u4");
    sp.session.xopts = f->xopts;
    sp.session.n_xopts = 1;
    sp.ops = f->ops;
    sp.n_ops = f->n;
    sp.jtag = BOOTLOADER_JTAG_TABLE;
    return sp;
}

/* Add a one-byte write of mem. */
static void add_write(struct fixture *f, enum mem_id mem, uint8_t v, const char *text)
{
    assert_int_equal(image_set(&f->img[f->n], 0, v, NULL), ISPF_OK);
    f->ops[f->n] = (struct run_op){.mem = mem,
                                   .kind = RUN_WRITE,
                                   .img = &f->img[f->n],
                                   .file = text,
                                   .fmt = 'm',
                                   .text = text};
    f->n++;
}

static uint8_t cur_fuses[FUSE_NBYTES];
static int fuses_calls;

static void fuses_cb(void *ctx, const struct part *p, const uint8_t cur[FUSE_NBYTES])
{
    (void)ctx;
    assert_non_null(p);
    memcpy(cur_fuses, cur, sizeof cur_fuses);
    fuses_calls++;
}

/* The chip's fuses, through a second run with only the --fuses callback. */
static void read_chip_fuses(struct fixture *f)
{
    size_t n = f->n;
    f->n = 0;
    struct run_spec sp = spec_for(f);
    sp.fuses = fuses_cb;
    fuses_calls = 0;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_int_equal(fuses_calls, 1);
    f->n = n;
}

/* hfuse 0xB9 turns SPIEN off: refused, nothing written, the reason in the error. */
static void test_guard_refuses(void **st)
{
    struct fixture *f = *st;
    add_write(f, MEM_HFUSE, 0xB9, "hfuse:w:0xB9:m");
    struct run_spec sp = spec_for(f);
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_E_REFUSED);
    assert_non_null(strstr(err.msg, "SPIEN"));
    assert_not_logged("writing hfuse");
    read_chip_fuses(f);
    assert_int_equal(cur_fuses[fuse_index(MEM_HFUSE)], 0x99);
}

/* With -n the refusal is a warning and the run goes on; still nothing is written. */
static void test_no_write_warns(void **st)
{
    struct fixture *f = *st;
    add_write(f, MEM_HFUSE, 0xB9, "hfuse:w:0xB9:m");
    struct run_spec sp = spec_for(f);
    sp.no_write = true;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_logged("warning: -n: a run without -n would stop here (exit 7):");
    assert_logged("writing hfuse (1 byte from the command line)");
    read_chip_fuses(f);
    assert_int_equal(cur_fuses[fuse_index(MEM_HFUSE)], 0x99);
}

/* --jtag off alone: the chip's high fuse with JTAGEN unprogrammed, and the change
 * logged as one message of several lines before the write. */
static void test_jtag_alone(void **st)
{
    struct fixture *f = *st;
    struct run_spec sp = spec_for(f);
    sp.jtag = BOOTLOADER_JTAG_OFF;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_logged("hfuse 0x99 -> 0xD9 changes:\n  JTAGEN: on -> off\n");
    assert_true(strstr(test_log, "changes:") < strstr(test_log, "writing hfuse"));
    read_chip_fuses(f);
    assert_int_equal(cur_fuses[fuse_index(MEM_HFUSE)], 0xD9);
}

/* A preset and a -U write of the same fuse: a usage error before the programmer opens. */
static void test_preset_conflict(void **st)
{
    struct fixture *f = *st;
    add_write(f, MEM_HFUSE, 0xD8, "hfuse:w:0xD8:m");
    struct run_spec sp = spec_for(f);
    sp.bootloader = "caterina-micro";
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_E_USAGE);
    assert_non_null(strstr(err.msg, "and so does -U hfuse:w:0xD8:m"));
    assert_not_logged("device signature");
}

/* Writing flash erases first unless no_erase; a fuse write goes after the flash write
 * even when given first; write + verify unless no_verify. */
static void test_erase_and_order(void **st)
{
    struct fixture *f = *st;
    add_write(f, MEM_LFUSE, 0xDE, "lfuse:w:0xDE:m");
    assert_int_equal(image_set(&f->img[1], 0, 0x0C, NULL), ISPF_OK);
    f->ops[1] = (struct run_op){.mem = MEM_FLASH,
                                .kind = RUN_WRITE,
                                .img = &f->img[1],
                                .file = "app.hex",
                                .fmt = 'i',
                                .text = "flash:w:app.hex"};
    f->n = 2;
    struct run_spec sp = spec_for(f);
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_logged("erasing chip (writing flash erases it first; -D to skip)");
    assert_logged("flash verified (1 byte)");
    char *flash = strstr(test_log, "writing flash (1 byte from app.hex)");
    char *lfuse = strstr(test_log, "writing lfuse");
    assert_non_null(flash);
    assert_non_null(lfuse);
    assert_true(flash < lfuse);

    test_log[0] = '\0';
    sp.no_erase = true;
    sp.no_verify = true;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_not_logged("erasing chip");
    assert_not_logged("verified");
}

/* A read is saved in the asked format, and at debug level a fuse read is decoded. */
static void test_read_values(void **st)
{
    struct fixture *f = *st;
    char out[128];
    snprintf(out, sizeof out, "%s/out", f->dir);
    f->ops[0] = (struct run_op){
        .mem = MEM_EFUSE, .kind = RUN_READ, .file = out, .fmt = 'b', .text = "efuse:r:out:b"};
    f->n = 1;
    ispf_log_set_level(ISPF_LOG_DEBUG);
    struct run_spec sp = spec_for(f);
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_OK);
    assert_logged("efuse 0xF3: HWBE=on");
    FILE *fp = fopen(out, "r");
    assert_non_null(fp);
    char line[32] = "";
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_string_equal(line, "0b11110011\n");
}

/* An interruption requested before the run: it stops before the backup and the erase,
 * says the chip is unchanged, and a read stopped the same way keeps the old output
 * file. */
static void test_interrupted(void **st)
{
    struct fixture *f = *st;
    assert_int_equal(image_set(&f->img[0], 0x100, 0x42, NULL), ISPF_OK);
    f->ops[0] = (struct run_op){.mem = MEM_FLASH,
                                .kind = RUN_WRITE,
                                .img = &f->img[0],
                                .file = "x.hex",
                                .fmt = 'i',
                                .text = "flash:w:x.hex"};
    f->n = 1;
    struct run_spec sp = spec_for(f);
    struct ispf_error err;
    ispf_error_clear(&err);
    ispf_interrupt_request();
    int rc = run_execute(&sp, &err);
    ispf_interrupt_clear();
    assert_int_equal(rc, ISPF_E_INTERRUPTED);
    assert_non_null(
        strstr(err.msg, "interrupted before anything was written: the chip is unchanged"));

    char out[128];
    snprintf(out, sizeof out, "%s/out", f->dir);
    FILE *fp = fopen(out, "w");
    assert_non_null(fp);
    fputs("old\n", fp);
    fclose(fp);
    f->ops[0] = (struct run_op){
        .mem = MEM_FLASH, .kind = RUN_READ, .file = out, .fmt = 'i', .text = "flash:r:out:i"};
    bool output_failed = false;
    sp = spec_for(f);
    sp.output_failed = &output_failed;
    ispf_error_clear(&err);
    ispf_interrupt_request();
    rc = run_execute(&sp, &err);
    ispf_interrupt_clear();
    assert_int_equal(rc, ISPF_E_INTERRUPTED);
    assert_false(output_failed);
    fp = fopen(out, "r");
    assert_non_null(fp);
    char line[32] = "";
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_string_equal(line, "old\n");
}

/* An output that cannot be written is reported as such (the CLI exits 1, not 4). */
static void test_output_failed(void **st)
{
    struct fixture *f = *st;
    f->ops[0] = (struct run_op){.mem = MEM_SIGNATURE,
                                .kind = RUN_READ,
                                .file = "/nonexistent/dir/sig.hex",
                                .fmt = 'h',
                                .text = "signature:r:/nonexistent/dir/sig.hex:h"};
    f->n = 1;
    bool output_failed = false;
    struct run_spec sp = spec_for(f);
    sp.output_failed = &output_failed;
    struct ispf_error err;
    ispf_error_clear(&err);
    assert_int_equal(run_execute(&sp, &err), ISPF_E_IO);
    assert_true(output_failed);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/sig.hex"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_guard_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_write_warns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jtag_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_preset_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_failed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
