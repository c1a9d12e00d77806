// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "ispflash/error.h"

void ispf_error_clear(struct ispf_error *err)
{
    if (err) {
        err->code = ISPF_OK;
        err->msg[0] = '\0';
    }
}

int ispf_vfail(struct ispf_error *err, int code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

int ispf_fail(struct ispf_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ispf_vfail(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int ispf_error_prefix(struct ispf_error *err, const char *fmt, ...)
{
    if (!err)
        return ISPF_OK;
    char head[ISPF_ERRMSG_MAX];
    char old[ISPF_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(head);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, head, n);
    memcpy(err->msg + n, ": ", 2);
    n += 2;
    size_t rest = strlen(old);
    if (rest > sizeof err->msg - 1 - n)
        rest = sizeof err->msg - 1 - n;
    memcpy(err->msg + n, old, rest);
    err->msg[n + rest] = '\0';
    return err->code;
}

const char *ispf_strerror(int code)
{
    switch (code) {
    case ISPF_OK:
        return "success";
    case ISPF_E_USAGE:
        return "usage error";
    case ISPF_E_INPUT:
        return "bad input";
    case ISPF_E_NOMEM:
        return "out of memory";
    case ISPF_E_IO:
        return "input/output error";
    case ISPF_E_TIMEOUT:
        return "timeout";
    case ISPF_E_PROTOCOL:
        return "protocol error";
    case ISPF_E_NO_DEVICE:
        return "programmer not found";
    case ISPF_E_ACCESS:
        return "permission denied";
    case ISPF_E_DISCONNECTED:
        return "programmer disconnected";
    case ISPF_E_NO_TARGET:
        return "no target answers";
    case ISPF_E_SIGNATURE:
        return "wrong device signature";
    case ISPF_E_VERIFY:
        return "verification failed";
    case ISPF_E_UNSUPPORTED:
        return "not supported";
    case ISPF_E_REFUSED:
        return "refused by a safety check";
    case ISPF_E_TARGET:
        return "target error";
    case ISPF_E_INTERRUPTED:
        return "interrupted";
    default:
        return "unknown error";
    }
}

int ispf_exit_class(int status)
{
    switch (status) {
    case ISPF_OK:
        return 0;
    case ISPF_E_USAGE:
    case ISPF_E_UNSUPPORTED:
        return 2;
    case ISPF_E_INPUT:
        return 3;
    case ISPF_E_IO:
    case ISPF_E_TIMEOUT:
    case ISPF_E_PROTOCOL:
    case ISPF_E_NO_DEVICE:
    case ISPF_E_ACCESS:
    case ISPF_E_DISCONNECTED:
        return 4;
    case ISPF_E_NO_TARGET:
    case ISPF_E_SIGNATURE:
    case ISPF_E_TARGET:
        return 5;
    case ISPF_E_VERIFY:
        return 6;
    case ISPF_E_REFUSED:
        return 7;
    case ISPF_E_INTERRUPTED:
        return 8;
    default:
        return 1;
    }
}
