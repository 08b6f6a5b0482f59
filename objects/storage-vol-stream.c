/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.virtbus.StorageVol1 on every storage volume object, next to org.libvirt.StorageVol:
 * virStorageVolUpload/Download, which libvirt runs over a stream that libvirt-dbus
 * does not publish. The caller passes a file descriptor; the copy runs as an
 * org.virtbus.Job1 whose path is the reply, sent at once (the caller feeds or drains
 * its end meanwhile and learns the outcome from the job). Access: storage_vol
 * data_write / data_read (objects/acl.c). */
#include "bus-object.h"
#include "storage-vol-stream.h"

static int reply_job(sd_bus_message *m, VbJob *job) {
        _cleanup_free_ char *path = vb_bus_object_path(&vb_bus_kind_job, job);
        if (!path)
                return -ENOMEM;
        return sd_bus_reply_method_return(m, "o", path);
}

/* VbStorageOps.vol_upload and .vol_download */
typedef int VolCopyFn(VbVolObj *v, int fd, uint64_t offset, uint64_t length, unsigned flags,
                      VbJob **ret, VbError *e);

/* Upload and Download differ only in the driver op, and the API named when the
 * driver has none. */
static int vol_copy(sd_bus_message *m, VbVolObj *v, bool upload, sd_bus_error *error) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const VbStorageOps *ops = v->pool->conn->driver->storage;
        VolCopyFn *copy = NULL;
        uint64_t offset, length;
        uint32_t flags;
        VbJob *job;
        int fd, r;

        r = sd_bus_message_read(m, "httu", &fd, &offset, &length, &flags);
        if (r < 0)
                return r;
        if (ops)
                copy = upload ? ops->vol_upload : ops->vol_download;
        /* @fd belongs to @m: the driver takes its own copy */
        r = copy ? copy(v, fd, offset, length, flags, &job, &e)
                 : vb_error_unsupported(&e, upload ? "virStorageVolUpload" : "virStorageVolDownload");
        if (r < 0)
                return vb_bus_error(error, &e);
        return reply_job(m, job);
}

static int method_upload(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vol_copy(m, userdata, true, error);
}

static int method_download(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return vol_copy(m, userdata, false, error);
}

static const sd_bus_vtable vol_stream_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("Upload", "httu",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(offset) SD_BUS_PARAM(length) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(job), method_upload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Download", "httu",
                                 SD_BUS_PARAM(fd) SD_BUS_PARAM(offset) SD_BUS_PARAM(length) SD_BUS_PARAM(flags),
                                 "o", SD_BUS_PARAM(job), method_download, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

const sd_bus_vtable *const vb_storage_vol_stream_vtable = vol_stream_vtable;
