// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hexcheck: compares our Intel HEX reader and writer with two independent
 * implementations, srec_cat (srecord) and objcopy/objdump (binutils).
 *
 *   hexcheck FILE|DIR...
 *
 * For every .hex file given (directories are scanned for *.hex):
 *  1. our reader parses it into an image;
 *  2. srec_cat converts it to binary twice, holes filled with 0x00 and with 0xFF
 *     (range 0..end): where the two outputs agree the address holds data, where
 *     they differ it is a hole. That gives srec_cat's exact address->byte map,
 *     which must equal ours byte for byte, so every segment boundary is checked;
 *  3. objdump -h lists the sections objcopy's ihex reader made (one per
 *     contiguous run) and objcopy -O binary --gap-fill 0x00 / 0xFF gives the
 *     bytes: the same comparison, independently;
 *  4. our writer renders the image; the output goes through 1-3 again, through
 *     srec_cmp against the original file, and is checked for record shape.
 * Synthetic sparse images (segments crossing and touching 64 KiB boundaries,
 * addresses up to 3 MiB) get step 4 as well.
 *
 * Missing tools are a failure, not a skip: CI installs srecord and binutils.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ispflash/image.h"

static char tmpdir[256];
static int failures;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        failures++;                                                                                \
    } while (0)

static int run(const char *cmd)
{
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc((size_t)n + 1);
    *len = fread(*buf, 1, (size_t)n, f);
    fclose(f);
    (*buf)[*len] = 0;
    return 0;
}

static int load_ours(const char *path, struct image *img)
{
    uint8_t *buf;
    size_t len;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (read_file(path, &buf, &len))
        return -1;
    int rc = ihex_parse(img, (const char *)buf, len, path, &err);
    free(buf);
    if (rc)
        FAIL("%s: our reader: %s", path, err.msg);
    return rc;
}

/* Compare img with a map given by two fills: bytes where lo==hi are data. base is the
 * address of lo[0]. Addresses outside [base, base+n) must be holes in img. */
static void compare_fills(const char *what, const char *path, const struct image *img,
                          uint32_t base, const uint8_t *lo, size_t nlo, const uint8_t *hi,
                          size_t nhi)
{
    if (nlo != nhi) {
        FAIL("%s %s: fill outputs differ in size (%zu, %zu)", what, path, nlo, nhi);
        return;
    }
    uint32_t used = 0;
    for (size_t i = 0; i < nlo; i++) {
        uint32_t a = base + (uint32_t)i;
        bool theirs = lo[i] == hi[i];
        if (!theirs && !(lo[i] == 0x00 && hi[i] == 0xFF)) {
            FAIL("%s %s: 0x%X: odd fill pair %02X/%02X", what, path, a, lo[i], hi[i]);
            return;
        }
        if (theirs != image_has(img, a)) {
            FAIL("%s %s: address 0x%X is %s for the tool but %s for us", what, path, a,
                 theirs ? "data" : "a hole", image_has(img, a) ? "data" : "a hole");
            return;
        }
        if (theirs) {
            used++;
            if (lo[i] != img->data[a]) {
                FAIL("%s %s: address 0x%X: tool 0x%02X, ours 0x%02X", what, path, a, lo[i],
                     img->data[a]);
                return;
            }
        }
    }
    if (used != img->count)
        FAIL("%s %s: tool has %u data bytes, we have %u", what, path, used, img->count);
}

static void check_srec_cat_fmt(const char *path, const char *fmt, const struct image *img)
{
    char cmd[2048], lo[512], hi[512];
    uint32_t end = img->end ? img->end : 1;
    snprintf(lo, sizeof lo, "%s/sc0.bin", tmpdir);
    snprintf(hi, sizeof hi, "%s/scF.bin", tmpdir);
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "srec_cat '%s' %s -fill 0x%s 0 0x%X -o '%s' -Binary", path, fmt,
                 k ? "FF" : "00", end, k ? hi : lo);
        if (run(cmd) != 0) {
            FAIL("srec_cat failed on %s (is srecord installed?): %s", path, cmd);
            return;
        }
    }
    uint8_t *b0, *b1;
    size_t n0, n1;
    if (read_file(lo, &b0, &n0) || read_file(hi, &b1, &n1)) {
        FAIL("srec_cat output missing for %s", path);
        return;
    }
    if (n0 != end)
        FAIL("srec_cat %s: binary is %zu bytes, our image ends at 0x%X", path, n0, end);
    else
        compare_fills("srec_cat", path, img, 0, b0, n0, b1, n1);
    free(b0);
    free(b1);
}

static void check_srec_cat(const char *path, const struct image *img)
{
    check_srec_cat_fmt(path, "-Intel", img);
}

static void check_objcopy_fmt(const char *path, const char *bfd, const struct image *img)
{
    char cmd[2048], lo[512], hi[512], sec[512];
    snprintf(lo, sizeof lo, "%s/oc0.bin", tmpdir);
    snprintf(hi, sizeof hi, "%s/ocF.bin", tmpdir);
    snprintf(sec, sizeof sec, "%s/sections.txt", tmpdir);
    snprintf(cmd, sizeof cmd, "objdump -h -b %s '%s' > '%s'", bfd, path, sec);
    if (run(cmd) != 0) {
        FAIL("objdump failed on %s (is binutils installed?)", path);
        return;
    }
    /* Section lines: "  0 .sec1  00007fda  00000000  00000000  00000000  2**0". */
    FILE *f = fopen(sec, "r");
    char line[512];
    struct image secs;
    image_init(&secs);
    uint32_t lowest = UINT32_MAX, total = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned idx, size, vma, lma;
        char name[64];
        if (sscanf(line, " %u %63s %x %x %x", &idx, name, &size, &vma, &lma) == 5) {
            for (uint32_t i = 0; i < size; i++)
                image_set(&secs, lma + i, 0, NULL);
            total += size;
            if (lma < lowest)
                lowest = lma;
        }
    }
    if (f)
        fclose(f);
    if (total != secs.count)
        FAIL("objdump %s: overlapping sections", path);
    for (uint32_t a = 0; a < secs.end || a < img->end; a++)
        if (image_has(&secs, a) != image_has(img, a)) {
            FAIL("objdump %s: address 0x%X is %s in objcopy's sections but %s for us", path, a,
                 image_has(&secs, a) ? "data" : "a hole", image_has(img, a) ? "data" : "a hole");
            break;
        }
    image_free(&secs);
    if (img->count == 0)
        return;
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "objcopy -I %s -O binary --gap-fill 0x%s '%s' '%s'", bfd,
                 k ? "FF" : "00", path, k ? hi : lo);
        if (run(cmd) != 0) {
            FAIL("objcopy failed on %s", path);
            return;
        }
    }
    uint8_t *b0, *b1;
    size_t n0, n1;
    if (read_file(lo, &b0, &n0) || read_file(hi, &b1, &n1)) {
        FAIL("objcopy output missing for %s", path);
        return;
    }
    if (lowest != image_start(img) || n0 != img->end - lowest)
        FAIL("objcopy %s: binary covers 0x%X+%zu, our image 0x%X..0x%X", path, lowest, n0,
             image_start(img), img->end);
    else
        compare_fills("objcopy", path, img, lowest, b0, n0, b1, n1);
    free(b0);
    free(b1);
}

static void check_objcopy(const char *path, const struct image *img)
{
    check_objcopy_fmt(path, "ihex", img);
}

/* Our writer's output: shape of every record. */
static void check_shape(const char *what, const char *text)
{
    unsigned upper = 0, ln = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        ln++;
        unsigned n, off, type;
        if (ll < 11 || sscanf(p, ":%2x%4x%2x", &n, &off, &type) != 3) {
            FAIL("%s: writer line %u malformed", what, ln);
            return;
        }
        if (type == 4) {
            unsigned u;
            sscanf(p + 9, "%4x", &u);
            upper = u;
        } else if (type == 0) {
            if (n == 0 || n > 16)
                FAIL("%s: writer line %u has %u data bytes", what, ln, n);
            if (off + n > 0x10000)
                FAIL("%s: writer line %u crosses a 64 KiB boundary", what, ln);
        } else if (type != 1) {
            FAIL("%s: writer line %u has type %02X", what, ln, type);
        }
        p += ll + (nl ? 1 : 0);
        if (type == 1 && *p)
            FAIL("%s: writer output continues after EOF", what);
    }
    (void)upper;
    if (ln == 0 || strcmp(p - 12, ":00000001FF\n") != 0)
        FAIL("%s: writer output does not end with the EOF record", what);
}

static void check_writer(const char *what, const struct image *img, const char *orig)
{
    char *text;
    size_t n;
    struct ispf_error err;
    ispf_error_clear(&err);
    if (ihex_format(img, &text, &n, &err)) {
        FAIL("%s: ihex_format: %s", what, err.msg);
        return;
    }
    check_shape(what, text);
    char out[512];
    snprintf(out, sizeof out, "%s/written.hex", tmpdir);
    FILE *f = fopen(out, "wb");
    fwrite(text, 1, n, f);
    fclose(f);
    free(text);

    struct image back;
    image_init(&back);
    if (load_ours(out, &back) == 0 && !image_equal(&back, img))
        FAIL("%s: our writer's output reads back differently with our reader", what);
    image_free(&back);
    check_srec_cat(out, img);
    check_objcopy(out, img);
    if (orig) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd, "srec_cmp '%s' -Intel '%s' -Intel > /dev/null", orig, out);
        if (run(cmd) != 0)
            FAIL("%s: srec_cmp says the written file differs from the original", what);
    }
}

/* S-records: srec_cat's conversion of the file must load (auto-detected) into the
 * same image; our S-record output must be what srec_cat reads back as the file. */
static void check_srec(const char *path, const struct image *img)
{
    char cmd[2048], theirs[512], ours[512];
    struct ispf_error err;
    snprintf(theirs, sizeof theirs, "%s/theirs.srec", tmpdir);
    snprintf(ours, sizeof ours, "%s/ours.srec", tmpdir);
    snprintf(cmd, sizeof cmd, "srec_cat '%s' -Intel -o '%s' -Motorola", path, theirs);
    if (run(cmd) != 0) {
        FAIL("srec_cat cannot convert %s to S-records", path);
        return;
    }
    struct image s;
    image_init(&s);
    enum image_format det = IMAGE_FMT_AUTO;
    ispf_error_clear(&err);
    if (image_load(&s, theirs, IMAGE_FMT_AUTO, &det, &err) != ISPF_OK)
        FAIL("%s: our S-record reader on srec_cat's output: %s", path, err.msg);
    else if (det != IMAGE_FMT_SREC)
        FAIL("%s: srec_cat's S-records were detected as %s", path, image_format_name(det));
    else if (!image_equal(&s, img))
        FAIL("%s: srec_cat's S-records load differently from the HEX file", path);
    image_free(&s);
    ispf_error_clear(&err);
    if (image_save(img, ours, IMAGE_FMT_SREC, &err) != ISPF_OK) {
        FAIL("%s: writing S-records: %s", path, err.msg);
        return;
    }
    /* (srec_cmp would also compare the execution start address, which we drop.) */
    check_srec_cat_fmt(ours, "-Motorola", img);
    check_objcopy_fmt(ours, "srec", img);
}

/* Other writers' Intel HEX (other record sizes, objcopy's 02 segment records,
 * data moved above 64 KiB) must read into the same image. */
static void check_foreign(const char *path, const struct image *img)
{
    struct {
        const char *cmd;
        uint32_t shift;
        bool small_only;
    } v[] = {
        {"srec_cat '%s' -Intel -o '%s' -Intel -Output_Block_Size=32", 0, false},
        {"srec_cat '%s' -Intel -o '%s' -Intel -Output_Block_Size=250", 0, false},
        {"srec_cat '%s' -Intel -o '%s' -Intel -address-length=2", 0, true},
        {"srec_cat '%s' -Intel -offset 0x30000 -o '%s' -Intel", 0x30000, false},
        {"objcopy -I ihex -O ihex '%s' '%s'", 0, false},
        {"objcopy -I ihex -O ihex --change-addresses 0x30000 '%s' '%s'", 0x30000, false},
    };
    char out[512], cmd[2048];
    snprintf(out, sizeof out, "%s/foreign.hex", tmpdir);
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        if (v[k].small_only && img->end > 0x10000)
            continue;
        snprintf(cmd, sizeof cmd, v[k].cmd, path, out);
        if (run(cmd) != 0) {
            FAIL("%s: tool failed: %s", path, cmd);
            continue;
        }
        struct image want, got;
        image_init(&want);
        image_init(&got);
        for (uint32_t a = 0; a < img->end; a++)
            if (image_has(img, a))
                image_set(&want, a + v[k].shift, img->data[a], NULL);
        if (load_ours(out, &got) == 0 && !image_equal(&want, &got))
            FAIL("%s: our reader gives a different image for: %s", path, cmd);
        image_free(&want);
        image_free(&got);
    }
}

/* The comparators must catch a wrong image: drop the first byte of the last
 * segment, then change one byte; each must be reported by both tools' checks. */
static void self_test(const char *path, const struct image *img)
{
    struct image bad;
    image_init(&bad);
    uint32_t from = 0, start = 0, len = 0, s, l;
    while (image_next_segment(img, &from, &s, &l))
        start = s, len = l;
    for (int variant = 0; variant < 2; variant++) {
        image_clear(&bad);
        for (uint32_t a = 0; a < img->end; a++)
            if (image_has(img, a))
                image_set(&bad, a, img->data[a], NULL);
        if (variant == 0) {
            image_clear(&bad);
            for (uint32_t a = 0; a < img->end; a++)
                if (image_has(img, a) && a != start)
                    image_set(&bad, a, img->data[a], NULL);
        } else {
            bad.data[start + len / 2] ^= 0x01;
        }
        int before = failures;
        FILE *saved = stderr;
        stderr = fopen("/dev/null", "w");
        check_srec_cat(path, &bad);
        int after_srec = failures;
        check_objcopy(path, &bad);
        fclose(stderr);
        stderr = saved;
        bool caught = after_srec > before && failures > after_srec;
        failures = before;
        if (!caught)
            FAIL("self-test: a corrupted image (variant %d) of %s was not detected", variant, path);
    }
    image_free(&bad);
}

static bool self_tested;

static void check_file(const char *path)
{
    struct image img;
    image_init(&img);
    if (load_ours(path, &img) == 0) {
        if (!self_tested) {
            self_test(path, &img);
            self_tested = true;
        }
        check_srec_cat(path, &img);
        check_objcopy(path, &img);
        check_writer(path, &img, path);
        check_srec(path, &img);
        check_foreign(path, &img);
        printf("ok %s: %u bytes, 0x%X..0x%X\n", path, img.count, image_start(&img), img.end);
    }
    image_free(&img);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        FAIL("cannot open %s", dir);
        return;
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".hex") == 0) {
            names[n] = malloc(strlen(dir) + l + 2);
            sprintf(names[n], "%s/%s", dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    if (n == 0)
        FAIL("no .hex files in %s", dir);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        check_file(names[i]);
        free(names[i]);
    }
}

/* Deterministic pseudo-random sparse images around 64 KiB boundaries. */
static uint32_t rng = 12345;
static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void check_synthetic(void)
{
    static const uint32_t spots[] = {0x0,     0xFFF0,  0xFFFF,  0x10000,  0x1FFF8,
                                     0x1E000, 0x2FFFF, 0x3F000, 0x100000, 0x2FFFF0};
    for (unsigned round = 0; round < 12; round++) {
        struct image img;
        image_init(&img);
        for (unsigned s = 0; s < sizeof spots / sizeof *spots; s++) {
            if (rnd() % 3 == 0 && round > 0)
                continue;
            uint32_t start = spots[s] - (rnd() % 40) * (spots[s] >= 40);
            uint32_t len = 1 + rnd() % 70;
            for (uint32_t i = 0; i < len; i++)
                if (rnd() % 13)
                    image_set(&img, start + i, (uint8_t)rnd(), NULL);
        }
        char what[64];
        snprintf(what, sizeof what, "synthetic image %u", round);
        check_writer(what, &img, NULL);
        printf("ok %s: %u bytes, 0x%X..0x%X\n", what, img.count, image_start(&img), img.end);
        image_free(&img);
    }
}

int main(int argc, char **argv)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/hexcheck.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    if (run("srec_cat -VERSion > /dev/null 2>&1") != 0)
        FAIL("srec_cat is not installed (Debian package srecord)");
    if (run("objcopy --version > /dev/null 2>&1") != 0 ||
        run("objdump --version > /dev/null 2>&1") != 0)
        FAIL("objcopy/objdump are not installed (Debian package binutils)");
    if (failures)
        return 1;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            check_dir(argv[i]);
        else
            check_file(argv[i]);
    }
    check_synthetic();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    run(cmd);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
