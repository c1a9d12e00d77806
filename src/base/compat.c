// SPDX-License-Identifier: GPL-2.0-or-later
/* The Windows half of compat.h (nothing to do elsewhere). */
#include "base/compat.h"

#ifdef _WIN32
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* The Windows handle of fd, or NULL with errno EBADF; *ov zeroed for the call. */
static HANDLE compat_handle(int fd, OVERLAPPED *ov)
{
    memset(ov, 0, sizeof *ov);
    HANDLE h = (HANDLE)_get_osfhandle(fd);
    if (h == INVALID_HANDLE_VALUE) {
        errno = EBADF;
        return NULL;
    }
    return h;
}

int compat_flock(int fd, int op)
{
    OVERLAPPED ov;
    HANDLE h = compat_handle(fd, &ov);
    if (!h)
        return -1;
    if (op & LOCK_UN)
        return UnlockFileEx(h, 0, MAXDWORD, MAXDWORD, &ov) ? 0 : (errno = EINVAL, -1);
    DWORD flags = (op & LOCK_EX ? LOCKFILE_EXCLUSIVE_LOCK : 0) |
                  (op & LOCK_NB ? LOCKFILE_FAIL_IMMEDIATELY : 0);
    if (LockFileEx(h, flags, 0, MAXDWORD, MAXDWORD, &ov))
        return 0;
    errno = GetLastError() == ERROR_LOCK_VIOLATION ? EWOULDBLOCK : EIO;
    return -1;
}

ssize_t compat_pread(int fd, void *buf, size_t len, off_t off)
{
    OVERLAPPED ov;
    HANDLE h = compat_handle(fd, &ov);
    if (!h)
        return -1;
    ov.Offset = (DWORD)((unsigned long long)off & 0xffffffffu);
    ov.OffsetHigh = (DWORD)((unsigned long long)off >> 32);
    DWORD got = 0;
    if (!ReadFile(h, buf, len > MAXDWORD ? MAXDWORD : (DWORD)len, &got, &ov)) {
        if (GetLastError() == ERROR_HANDLE_EOF)
            return 0;
        errno = EIO;
        return -1;
    }
    return (ssize_t)got;
}

char *compat_realpath(const char *path, char *resolved)
{
    struct _stat st;
    if (_stat(path, &st) != 0)
        return NULL; /* errno set: ENOENT, as realpath */
    return _fullpath(resolved, path, PATH_MAX);
}

int compat_rename(const char *from, const char *to)
{
    if (MoveFileExA(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
    return -1;
}

char *compat_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}
#else
typedef int compat_posix_has_it_all; /* ISO C wants a declaration in every file */
#endif
