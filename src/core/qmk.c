// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --qmk PATH (include/ispflash/qmk.h): MCU and BOOTLOADER of a QMK keyboard folder from
 * its rules.mk, info.json and keyboard.json and its parents'. JSON is parsed with
 * jansson (strict RFC 8259, duplicate keys rejected like QMK's own loader does).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef ISPF_HAVE_JANSSON
#include <jansson.h>
#endif

#include "base/compat.h"
#include "ispflash/log.h"
#include "ispflash/qmk.h"

#define QMK_LOG "qmk"
#define QMK_MAX_LEVELS 5 /* QMK's MAX_KEYBOARD_SUBFOLDERS */
#define QMK_LINE_MAX 4096

/* The folders from the top (keyboards/<top>) down to the keyboard. */
struct qmk_chain {
    char dir[QMK_MAX_LEVELS][PATH_MAX];  /* absolute */
    char show[QMK_MAX_LEVELS][PATH_MAX]; /* for messages: keyboards/crkbd/rev1 */
    int n;
    char root[PATH_MAX]; /* the keyboards/ folder ("" when there is none above) */
};

static void qmk_trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t k = 0;
    while (isspace((unsigned char)s[k]))
        k++;
    memmove(s, s + k, n - k + 1);
}

enum qmk_assign qmk_rules_line(const char *line, char *name, size_t nlen, char *value, size_t vlen)
{
    char buf[QMK_LINE_MAX];
    snprintf(buf, sizeof buf, "%s", line);
    char *hash = strchr(buf, '#');
    if (hash)
        *hash = '\0';
    qmk_trim(buf);
    char *s = buf;
    for (int k = 0; k < 2; k++)
        if (strncmp(s, "export ", 7) == 0 || strncmp(s, "override ", 9) == 0)
            s += s[0] == 'e' ? 7 : 9;
    size_t nl = 0;
    while (isalnum((unsigned char)s[nl]) || s[nl] == '_')
        nl++;
    if (nl == 0)
        return QMK_NOT_ASSIGN;
    char *op = s + nl;
    while (*op == ' ' || *op == '\t')
        op++;
    enum qmk_assign kind;
    size_t ol;
    if (strncmp(op, "?=", 2) == 0)
        kind = QMK_ASSIGN_DEFAULT, ol = 2;
    else if (strncmp(op, "+=", 2) == 0)
        kind = QMK_ASSIGN_APPEND, ol = 2;
    else if (strncmp(op, "::=", 3) == 0)
        kind = QMK_ASSIGN_SET, ol = 3;
    else if (strncmp(op, ":=", 2) == 0)
        kind = QMK_ASSIGN_SET, ol = 2;
    else if (op[0] == '=')
        kind = QMK_ASSIGN_SET, ol = 1;
    else
        return QMK_NOT_ASSIGN;
    snprintf(name, nlen, "%.*s", (int)nl, s);
    snprintf(value, vlen, "%s", op + ol);
    qmk_trim(value);
    return kind;
}

static void qmk_set(struct qmk_value *v, const char *value, const char *where)
{
    v->set = true;
    size_t l = strnlen(value, sizeof v->value - 1);
    memcpy(v->value, value, l);
    v->value[l] = '\0';
    l = strnlen(where, sizeof v->where - 1);
    memcpy(v->where, where, l);
    v->where[l] = '\0';
}

/* The variables --qmk reads from rules.mk. */
struct qmk_vars {
    struct qmk_value mcu, bootloader, f_cpu, default_folder;
};

static struct qmk_value *qmk_var(struct qmk_vars *v, const char *name)
{
    if (strcmp(name, "MCU") == 0)
        return &v->mcu;
    if (strcmp(name, "BOOTLOADER") == 0)
        return &v->bootloader;
    if (strcmp(name, "F_CPU") == 0)
        return &v->f_cpu;
    if (strcmp(name, "DEFAULT_FOLDER") == 0)
        return &v->default_folder;
    return NULL;
}

/* One line of a rules.mk applied to vars (where = "file:line"). */
static void qmk_rules_apply(struct qmk_vars *vars, const char *line, int depth, const char *where)
{
    char name[64], value[QMK_VALUE_MAX * 2];
    enum qmk_assign kind = qmk_rules_line(line, name, sizeof name, value, sizeof value);
    struct qmk_value *v = kind ? qmk_var(vars, name) : NULL;
    if (!v || kind == QMK_ASSIGN_APPEND || (kind == QMK_ASSIGN_DEFAULT && v->set))
        return;
    if (strchr(value, '$')) {
        ispf_log(ISPF_LOG_WARN, QMK_LOG, "%s: %s = %s uses a make variable: not followed", where,
                 name, value);
        return;
    }
    if (depth > 0)
        ispf_log(ISPF_LOG_WARN, QMK_LOG,
                 "%s: %s is set inside a make conditional (ifeq/ifdef...): taken as written", where,
                 name);
    qmk_set(v, value, where);
}

/* Read one rules.mk (absent: nothing to do). */
static int qmk_rules_file(const char *path, const char *show, struct qmk_vars *vars,
                          struct ispf_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return ISPF_OK;
        return ispf_fail(err, ISPF_E_INPUT, "--qmk: %s: %s", show, strerror(errno));
    }
    char line[QMK_LINE_MAX], joined[QMK_LINE_MAX];
    int lineno = 0, start = 0, depth = 0;
    joined[0] = '\0';
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!joined[0])
            start = lineno;
        size_t l = strcspn(line, "\r\n");
        line[l] = '\0';
        bool more = l && line[l - 1] == '\\';
        if (more)
            line[l - 1] = ' ';
        size_t jl = strlen(joined);
        snprintf(joined + jl, sizeof joined - jl, "%s", line);
        if (more)
            continue;
        char first[16] = "";
        sscanf(joined, "%15s", first);
        if (!strcmp(first, "ifeq") || !strcmp(first, "ifneq") || !strcmp(first, "ifdef") ||
            !strcmp(first, "ifndef"))
            depth++;
        else if (!strcmp(first, "endif") && depth > 0)
            depth--;
        else {
            char where[QMK_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%d", show, start);
            qmk_rules_apply(vars, joined, depth, where);
        }
        joined[0] = '\0';
    }
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return ispf_fail(err, ISPF_E_INPUT, "--qmk: %s: read error", show);
    return ISPF_OK;
}

/* The folders from keyboards/<top> down to dir. */
static int qmk_chain_build(const char *path, struct qmk_chain *c, struct ispf_error *err)
{
    char abs[PATH_MAX];
    struct stat st;
    if (!realpath(path, abs) || stat(abs, &st) != 0)
        return ispf_fail(err, ISPF_E_INPUT, "--qmk %s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ispf_fail(err, ISPF_E_INPUT,
                         "--qmk %s: not a folder (give the keyboard's folder, e.g. "
                         "qmk_firmware/keyboards/crkbd/rev1)",
                         path);
    memset(c, 0, sizeof *c);
    /* Walk up to the nearest folder called keyboards. */
    int ncut = 0;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", abs);
    for (char *slash = strrchr(tmp, '/'); slash && slash != tmp; slash = strrchr(tmp, '/')) {
        *slash = '\0';
        ncut++;
        const char *base = strrchr(tmp, '/');
        if (strcmp(base ? base + 1 : tmp, "keyboards") == 0) {
            snprintf(c->root, sizeof c->root, "%s", tmp);
            break;
        }
    }
    if (!c->root[0]) {
        snprintf(c->dir[0], sizeof c->dir[0], "%s", abs);
        snprintf(c->show[0], sizeof c->show[0], "%s", path);
        c->n = 1;
        ispf_log(ISPF_LOG_WARN, QMK_LOG,
                 "%s is not inside a keyboards/ folder: only its own files are read", path);
        return ISPF_OK;
    }
    size_t rl = strlen(c->root);
    const char *rel = abs + rl + 1; /* crkbd/rev1 */
    int levels = ncut;
    if (levels > QMK_MAX_LEVELS)
        return ispf_fail(err, ISPF_E_INPUT,
                         "--qmk %s: %d folders below keyboards/ (QMK builds at most %d)", path,
                         levels, QMK_MAX_LEVELS);
    for (const char *s = rel; c->n < levels; s++)
        if (*s == '/' || *s == '\0') {
            size_t l = (size_t)(s - abs);
            snprintf(c->dir[c->n], sizeof c->dir[0], "%.*s", (int)l, abs);
            snprintf(c->show[c->n], sizeof c->show[0], "keyboards/%.*s", (int)(s - rel), rel);
            c->n++;
            if (!*s)
                break;
        }
    return ISPF_OK;
}

/* The JSON values of one file; a value replaces the one before (child over parent). */
struct qmk_json {
    struct qmk_value processor, bootloader, board;
};

#ifdef ISPF_HAVE_JANSSON
static void qmk_json_take(json_t *root, const char *key, struct qmk_value *v, const char *show)
{
    json_t *j = json_object_get(root, key);
    if (!json_is_string(j))
        return;
    if (v->set && strcmp(v->value, json_string_value(j)) != 0)
        ispf_log(ISPF_LOG_DEBUG, QMK_LOG, "%s: %s %s overrides %s's %s", show, key,
                 json_string_value(j), v->where, v->value);
    qmk_set(v, json_string_value(j), show);
}

static int qmk_json_file(const char *path, const char *show, struct qmk_json *js,
                         struct ispf_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return ISPF_OK;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ispf_fail(err, ISPF_E_INPUT,
                         "--qmk: %s:%d:%d: %s (ispflash reads strict JSON; QMK's loader also "
                         "takes Hjson comments and trailing commas: remove them, or give -p and "
                         "--bootloader instead of --qmk)",
                         show, je.line, je.column, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return ispf_fail(err, ISPF_E_INPUT, "--qmk: %s: the top level is not an object", show);
    }
    qmk_json_take(root, "processor", &js->processor, show);
    qmk_json_take(root, "bootloader", &js->bootloader, show);
    qmk_json_take(root, "development_board", &js->board, show);
    json_decref(root);
    return ISPF_OK;
}

#else /* !ISPF_HAVE_JANSSON */

static int qmk_json_file(const char *path, const char *show, struct qmk_json *js,
                         struct ispf_error *err)
{
    struct stat st;
    (void)js;
    if (stat(path, &st) != 0)
        return ISPF_OK;
    return ispf_fail(err, ISPF_E_UNSUPPORTED,
                     "--qmk: %s: this ispflash was built without jansson: QMK's info.json and "
                     "keyboard.json cannot be read (give -p and --bootloader instead of --qmk)",
                     show);
}
#endif

/* QMK's data/mappings/defaults.hjson, its AVR boards: processor and bootloader of a
 * "development_board" the keyboard names. */
static const struct {
    const char *board, *processor, *bootloader;
} qmk_boards[] = {
    {"promicro", "atmega32u4", "caterina"},
    {"elite_c", "atmega32u4", "atmel-dfu"},
};

static void qmk_board_defaults(struct qmk_json *js)
{
    if (!js->board.set)
        return;
    for (size_t i = 0; i < sizeof qmk_boards / sizeof qmk_boards[0]; i++) {
        if (strcmp(js->board.value, qmk_boards[i].board) != 0)
            continue;
        char where[QMK_WHERE_MAX];
        snprintf(where, sizeof where, "%.*s (development_board %s)", (int)(QMK_WHERE_MAX / 2),
                 js->board.where, js->board.value);
        if (!js->processor.set)
            qmk_set(&js->processor, qmk_boards[i].processor, where);
        if (!js->bootloader.set)
            qmk_set(&js->bootloader, qmk_boards[i].bootloader, where);
        return;
    }
    ispf_log(ISPF_LOG_INFO, QMK_LOG, "%s: development_board %s is not an AVR board ispflash knows",
             js->board.where, js->board.value);
}

/* rules.mk (top folder first), then the JSON files, of the chain. */
static int qmk_read_chain(const struct qmk_chain *c, struct qmk_vars *vars, struct qmk_json *js,
                          struct ispf_error *err)
{
    static const char *const json_names[] = {"info.json", "keyboard.json"};
    int rc = ISPF_OK;
    for (int i = 0; i < c->n && rc == ISPF_OK; i++) {
        char path[PATH_MAX + 16], show[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/rules.mk", c->dir[i]);
        snprintf(show, sizeof show, "%s/rules.mk", c->show[i]);
        rc = qmk_rules_file(path, show, vars, err);
        for (int k = 0; k < 2 && rc == ISPF_OK; k++) {
            snprintf(path, sizeof path, "%s/%s", c->dir[i], json_names[k]);
            snprintf(show, sizeof show, "%s/%s", c->show[i], json_names[k]);
            rc = qmk_json_file(path, show, js, err);
        }
    }
    return rc;
}

/* The value: rules.mk's if it has one, else the JSON's (logged, both when they differ). */
static void qmk_pick(struct qmk_value *out, const struct qmk_value *rules,
                     const struct qmk_value *json, const char *what)
{
    if (rules->set && json->set && strcmp(rules->value, json->value) != 0)
        ispf_log(ISPF_LOG_INFO, QMK_LOG, "%s: %s = %s wins over %s's %s (as in QMK's build)",
                 rules->where, what, rules->value, json->where, json->value);
    const struct qmk_value *v = rules->set ? rules : json;
    if (v->set)
        *out = *v;
}

int qmk_read(const char *path, struct qmk_board *out, struct ispf_error *err)
{
    memset(out, 0, sizeof *out);
    struct qmk_chain *c = calloc(1, sizeof *c);
    if (!c)
        return ispf_fail(err, ISPF_E_NOMEM, "out of memory");
    int rc = qmk_chain_build(path, c, err);
    struct qmk_vars own = {0};
    if (rc == ISPF_OK && c->root[0]) {
        /* DEFAULT_FOLDER in the folder's own rules.mk: QMK builds that folder. */
        char rp[PATH_MAX + 16], show[PATH_MAX + 16];
        snprintf(rp, sizeof rp, "%s/rules.mk", c->dir[c->n - 1]);
        snprintf(show, sizeof show, "%s/rules.mk", c->show[c->n - 1]);
        rc = qmk_rules_file(rp, show, &own, err);
        if (rc == ISPF_OK && own.default_folder.set) {
            char target[PATH_MAX + QMK_VALUE_MAX];
            snprintf(target, sizeof target, "%s/%s", c->root, own.default_folder.value);
            ispf_log(ISPF_LOG_INFO, QMK_LOG, "%s: DEFAULT_FOLDER = %s: reading that keyboard",
                     own.default_folder.where, own.default_folder.value);
            rc = qmk_chain_build(target, c, err);
        }
    }
    struct qmk_vars vars = {0};
    struct qmk_json js = {0};
    if (rc == ISPF_OK)
        rc = qmk_read_chain(c, &vars, &js, err);
    if (rc == ISPF_OK) {
        const char *last = c->show[c->n - 1];
        snprintf(out->keyboard, sizeof out->keyboard, "%.*s", (int)sizeof out->keyboard - 1,
                 strncmp(last, "keyboards/", 10) == 0 ? last + 10 : last);
        qmk_board_defaults(&js);
        qmk_pick(&out->mcu, &vars.mcu, &js.processor, "MCU");
        qmk_pick(&out->bootloader, &vars.bootloader, &js.bootloader, "BOOTLOADER");
        out->f_cpu = vars.f_cpu;
    }
    free(c);
    return rc;
}

const char *qmk_bootloader_preset(const char *bootloader, const char *part_id, const char *f_cpu)
{
    if (!bootloader)
        return NULL;
    if (strcasecmp(bootloader, "caterina") == 0 && part_id && strcmp(part_id, "m32u4") == 0 &&
        f_cpu && strtoul(f_cpu, NULL, 10) == 8000000ul)
        return "caterina-promicro8";
    return bootloader;
}
