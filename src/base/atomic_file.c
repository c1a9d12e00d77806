// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/compat.h"

#ifdef _WIN32
#include <windows.h>
#endif

/* A temporary file ".NAME.ispflash-XXXXXX" next to af->path, with mode. */
static int atomic_tmp_create(struct atomic_file *af, mode_t mode, struct ispf_error *err)
{
    const char *slash = strrchr(af->path, '/');
    int dirlen = slash ? (int)(slash - af->path + 1) : 0;
    snprintf(af->tmp, sizeof af->tmp, "%.*s.%s.ispflash-XXXXXX", dirlen, af->path,
             slash ? slash + 1 : af->path);
    int fd = mkstemp(af->tmp);
    if (fd < 0)
        return ispf_fail(err, ISPF_E_IO,
                         "cannot write %s: cannot create a temporary file next to it: %s", af->path,
                         strerror(errno));
    (void)fchmod(fd, mode); /* best effort: the data matters more than the mode */
    af->f = fdopen(fd, "wb");
    if (af->f == NULL) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", af->path, strerror(e));
    }
    return ISPF_OK;
}

int atomic_file_open(struct atomic_file *af, const char *path, struct ispf_error *err)
{
    struct stat st;
    af->f = NULL;
    af->tmp[0] = '\0';
    if (strlen(path) >= sizeof af->path)
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: name too long", path);
    if (realpath(path, af->path) == NULL) /* a new file: its name as given */
        snprintf(af->path, sizeof af->path, "%s", path);
    if (stat(af->path, &st) == 0 && !S_ISREG(st.st_mode)) {
        af->f = fopen(af->path, "wb");
        if (af->f == NULL)
            return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", path, strerror(errno));
        return ISPF_OK;
    }
    mode_t um = umask(0);
    umask(um);
    mode_t mode = stat(af->path, &st) == 0 ? (st.st_mode & 07777) : (0666 & ~um);
    return atomic_tmp_create(af, mode, err);
}

/* Put tmp in place of path. rename() cannot replace an existing file on Windows:
 * MoveFileEx can, and MOVEFILE_WRITE_THROUGH returns once the move is on disk. */
static int atomic_replace(const char *tmp, const char *path)
{
#ifdef _WIN32
    if (MoveFileExA(tmp, path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return 0;
    errno = GetLastError() == ERROR_ACCESS_DENIED ? EACCES : EIO;
    return -1;
#else
    return rename(tmp, path);
#endif
}

int atomic_file_commit(struct atomic_file *af, struct ispf_error *err)
{
    bool ok =
        fflush(af->f) == 0 && !ferror(af->f) && (af->tmp[0] == '\0' || fsync(fileno(af->f)) == 0);
    int e = errno;
    if (fclose(af->f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    af->f = NULL;
    if (ok && af->tmp[0] != '\0' && atomic_replace(af->tmp, af->path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok && af->tmp[0] != '\0')
        unlink(af->tmp);
    if (!ok)
        return ispf_fail(err, ISPF_E_IO, "cannot write %s: %s", af->path, strerror(e));
    return ISPF_OK;
}

void atomic_file_abort(struct atomic_file *af)
{
    if (af->f != NULL)
        fclose(af->f);
    af->f = NULL;
    if (af->tmp[0] != '\0')
        unlink(af->tmp);
}
