/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The POSIX file calls the core uses (flock, pread, fsync, realpath, mkdir with a
 * mode, strndup, O_CLOEXEC, O_DIRECTORY), made available where the system lacks
 * them: Windows (mingw-w64, MSYS2). On Linux and macOS this header only includes
 * the system's own declarations. Include it after the system headers.
 *
 * On Windows: flock is LockFileEx on the file's handle (whole-file, released by
 * LOCK_UN or close), fsync is _commit (FlushFileBuffers), O_CLOEXEC is O_NOINHERIT,
 * a directory cannot be opened (O_DIRECTORY opens fail, and the fsync of a directory
 * that follows a rename is skipped: MoveFileEx's MOVEFILE_WRITE_THROUGH does it),
 * realpath is _fullpath of an existing path, mkdir ignores the mode, rename replaces
 * an existing file as on POSIX (MoveFileEx; the CRT's rename fails with EEXIST).
 */
#ifndef ISPFLASH_COMPAT_H
#define ISPFLASH_COMPAT_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#ifdef _WIN32
#include <direct.h>
#include <fcntl.h>
#include <io.h>

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
int compat_flock(int fd, int op);
ssize_t compat_pread(int fd, void *buf, size_t len, off_t off);
char *compat_realpath(const char *path, char *resolved);
char *compat_strndup(const char *s, size_t n);
int compat_rename(const char *from, const char *to);
#define flock compat_flock
#define pread compat_pread
#define realpath compat_realpath
#define strndup compat_strndup
#define rename compat_rename
#define fsync _commit
#define fchmod(fd, mode) ((void)(fd), (void)(mode), 0)
#define mkdir(path, mode) ((void)(mode), _mkdir(path))
#ifndef O_CLOEXEC
#define O_CLOEXEC O_NOINHERIT
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0x40000000 /* unknown to the CRT: the open fails, as wanted */
#endif
#else
#include <sys/file.h>
#include <unistd.h>
#endif

/* The time of a file's last status change (st_ctim: POSIX 2008; macOS names it
 * st_ctimespec; Windows has whole seconds only). */
static inline struct timespec compat_stat_ctime(const struct stat *st)
{
#if defined(_WIN32)
    struct timespec ts = {st->st_ctime, 0};
    return ts;
#elif defined(__APPLE__)
    return st->st_ctimespec;
#else
    return st->st_ctim;
#endif
}

#endif
