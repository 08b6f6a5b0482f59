/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Save image files of the QEMU driver. Layout (integers little-endian):
 *   16 bytes  magic "VirtBusQemuSave\n"
 *    4 bytes  format version (1)
 *    4 bytes  length of the domain XML that follows, without a terminator
 *    4 bytes  1 when the domain ran at save time (0: it was paused)
 *    4 bytes  zero
 *    N bytes  the live domain XML (secure)
 *    ...      QEMU's migration stream, up to the end of the file
 * Paths given by callers must be absolute and canonical, free of control
 * characters, and name a regular file (or, for a save, a file not there yet). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-save-image.h"
#include "xml-util.h"

#define SAVE_MAGIC "VirtBusQemuSave\n"
#define SAVE_VERSION 1U

typedef struct SaveHeader {
        char magic[16];
        uint32_t version, xml_len, was_running, zero;
} SaveHeader;

int vb_qemu_image_check_path(const char *path, bool must_exist, VbError *e) {
        struct stat st;
        size_t n;

        if (isempty(path) || path[0] != '/')
                return vb_error_set(e, VB_ERR_INVALID_ARG, "path '%s' is not absolute", strempty(path));
        for (const char *p = path; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return vb_error_set(e, VB_ERR_INVALID_ARG, "path contains a control character");
        n = strlen(path);
        if (n > 4000 || strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") ||
            path[n - 1] == '/' || (n >= 3 && streq(path + n - 3, "/..")) || (n >= 2 && streq(path + n - 2, "/.")))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "path '%s' is not canonical", path);
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT && !must_exist)
                        return 0;
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot access '%s': %s", path, strerror(errno));
        }
        if (!S_ISREG(st.st_mode))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "'%s' is not a regular file", path);
        return 0;
}

int vb_qemu_image_write_header(int fd, const char *xml, bool was_running, VbError *e) {
        size_t len = strlen(xml);
        SaveHeader h = {
                .version = htole32(SAVE_VERSION), .xml_len = htole32((uint32_t) len),
                .was_running = htole32(was_running ? 1 : 0),
        };
        ssize_t n;

        memcpy(h.magic, SAVE_MAGIC, sizeof(h.magic));
        if (len > VB_XML_MAX_SIZE)
                return vb_error_set(e, VB_ERR_INTERNAL, "domain XML too large for a save image");
        n = write(fd, &h, sizeof(h));
        if (n == (ssize_t) sizeof(h))
                n = write(fd, xml, len);
        if (n < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write the save image: %s", strerror(errno));
        if ((size_t) n != len && n != (ssize_t) sizeof(h))
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot write the save image: short write");
        return 0;
}

static int read_full(int fd, void *buf, size_t len) {
        size_t done = 0;

        while (done < len) {
                ssize_t n = read(fd, (char *) buf + done, len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -EBADMSG;
                done += (size_t) n;
        }
        return 0;
}

int vb_qemu_image_open(const char *path, VbSaveImage *ret, VbError *e) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *xml = NULL;
        SaveHeader h;
        uint32_t len;
        struct stat st;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "cannot open save image '%s': %s", path,
                                    strerror(errno));
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "'%s' is not a regular file", path);
        if (read_full(fd, &h, sizeof(h)) < 0 || memcmp(h.magic, SAVE_MAGIC, sizeof(h.magic)) != 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "'%s' is not a virtbus QEMU save image", path);
        if (le32toh(h.version) != SAVE_VERSION)
                return vb_error_set(e, VB_ERR_CONFIG_UNSUPPORTED, "save image version %u is not supported",
                                    le32toh(h.version));
        len = le32toh(h.xml_len);
        if (len < 1 || len > VB_XML_MAX_SIZE || sizeof(h) + (uint64_t) len > (uint64_t) st.st_size)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "save image '%s' has a damaged header", path);
        xml = malloc(len + 1);
        if (!xml)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        if (read_full(fd, xml, len) < 0)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "save image '%s' is truncated", path);
        xml[len] = 0;
        *ret = (VbSaveImage) {
                .fd = TAKE_FD(fd), .xml = TAKE_PTR(xml), .was_running = le32toh(h.was_running) != 0,
                .data_size = (uint64_t) st.st_size - sizeof(h) - len,
        };
        return 0;
}

void vb_save_image_clear(VbSaveImage *img) {
        if (img->fd >= 0)
                close(img->fd);
        img->fd = -1;
        free(img->xml);
        img->xml = NULL;
}
