/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "vb-error.h"

static const struct {
        const char *prefix;
        int err;
} table[_VB_ERR_MAX] = {
        [VB_ERR_OK]                 = { "",                                                          0 },
        [VB_ERR_INTERNAL]           = { "internal error",                                            EIO },
        [VB_ERR_NO_SUPPORT]         = { "this function is not supported by the connection driver",   EOPNOTSUPP },
        [VB_ERR_INVALID_ARG]        = { "invalid argument",                                          EINVAL },
        [VB_ERR_XML_ERROR]          = { "XML error",                                                 EINVAL },
        [VB_ERR_XML_DETAIL]         = { "XML error",                                                 EINVAL },
        [VB_ERR_OPERATION_INVALID]  = { "Requested operation is not valid",                          EBUSY },
        [VB_ERR_OPERATION_FAILED]   = { "operation failed",                                          EIO },
        [VB_ERR_OPERATION_DENIED]   = { "operation forbidden",                                       EPERM },
        [VB_ERR_ACCESS_DENIED]      = { "access denied",                                             EACCES },
        [VB_ERR_NO_DOMAIN]          = { "Domain not found",                                          ENOENT },
        [VB_ERR_NO_NETWORK]         = { "Network not found",                                         ENOENT },
        [VB_ERR_NO_STORAGE_POOL]    = { "Storage pool not found",                                    ENOENT },
        [VB_ERR_NO_STORAGE_VOL]     = { "Storage volume not found",                                  ENOENT },
        [VB_ERR_NO_NODE_DEVICE]     = { "Node device not found",                                     ENOENT },
        [VB_ERR_NO_SECRET]          = { "Secret not found",                                          ENOENT },
        [VB_ERR_NO_INTERFACE]       = { "Interface not found",                                       ENOENT },
        [VB_ERR_NO_NWFILTER]        = { "Network filter not found",                                  ENOENT },
        [VB_ERR_NO_DOMAIN_SNAPSHOT] = { "Domain snapshot not found",                                 ENOENT },
        [VB_ERR_INVALID_UUID]       = { "Invalid UUID",                                              EINVAL },
        [VB_ERR_OPERATION_TIMEOUT]  = { "Timed out during operation",                                ETIMEDOUT },
        [VB_ERR_RESOURCE_BUSY]      = { "resource busy",                                             EBUSY },
        [VB_ERR_CONFIG_UNSUPPORTED] = { "unsupported configuration",                                 EINVAL },
        [VB_ERR_NO_MEMORY]          = { "out of memory",                                             ENOMEM },
        [VB_ERR_LIMIT]              = { "limit exceeded",                                            ENOBUFS },
        [VB_ERR_OPERATION_ABORTED]  = { "operation aborted",                                         ECANCELED },
        [VB_ERR_NO_DOMAIN_METADATA] = { "metadata not found",                                        ENODATA },
        [VB_ERR_OPERATION_UNSUPPORTED] = { "Operation not supported",                                 EOPNOTSUPP },
};

const char *vb_error_code_prefix(VbErrorCode code) {
        if ((unsigned) code >= _VB_ERR_MAX)
                code = VB_ERR_INTERNAL;
        return table[code].prefix;
}

int vb_error_code_to_errno(VbErrorCode code) {
        if ((unsigned) code >= _VB_ERR_MAX || code == VB_ERR_OK)
                return -EIO;
        return -table[code].err;
}

void vb_error_clear(VbError *e) {
        if (!e)
                return;
        free(e->message);
        *e = VB_ERROR_NULL;
}

int vb_error_set(VbError *e, VbErrorCode code, const char *fmt, ...) {
        if (e) {
                _cleanup_free_ char *detail = NULL;
                char *msg;
                if (fmt) {
                        va_list ap;
                        va_start(ap, fmt);
                        if (vasprintf(&detail, fmt, ap) < 0)
                                detail = NULL;
                        va_end(ap);
                }
                if (detail)
                        msg = vb_strdupf("%s: %s", vb_error_code_prefix(code), detail);
                else
                        msg = vb_strdup(vb_error_code_prefix(code));
                free(e->message);
                e->message = msg;
                e->code = code;
        }
        return vb_error_code_to_errno(code);
}

int vb_error_unsupported(VbError *e, const char *api) {
        return vb_error_set(e, VB_ERR_NO_SUPPORT, "%s", api);
}
