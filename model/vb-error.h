/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* Errors inside virtbus: a negative errno for control flow plus a libvirt-style
 * code and message, because clients match libvirt's message texts. */
#include "util.h"

typedef enum VbErrorCode {
        VB_ERR_OK = 0,
        VB_ERR_INTERNAL,          /* "internal error" */
        VB_ERR_NO_SUPPORT,        /* "this function is not supported by the connection driver" */
        VB_ERR_INVALID_ARG,       /* "invalid argument" */
        VB_ERR_XML_ERROR,         /* "XML error" */
        VB_ERR_XML_DETAIL,        /* "XML error" with libxml2 position */
        VB_ERR_OPERATION_INVALID, /* "Requested operation is not valid" */
        VB_ERR_OPERATION_FAILED,  /* "operation failed" */
        VB_ERR_OPERATION_DENIED,  /* "operation forbidden" */
        VB_ERR_ACCESS_DENIED,     /* "access denied" */
        VB_ERR_NO_DOMAIN,         /* "Domain not found" */
        VB_ERR_NO_NETWORK,        /* "Network not found" */
        VB_ERR_NO_STORAGE_POOL,   /* "Storage pool not found" */
        VB_ERR_NO_STORAGE_VOL,    /* "Storage volume not found" */
        VB_ERR_NO_NODE_DEVICE,    /* "Node device not found" */
        VB_ERR_NO_SECRET,         /* "Secret not found" */
        VB_ERR_NO_INTERFACE,      /* "Interface not found" */
        VB_ERR_NO_NWFILTER,       /* "Network filter not found" */
        VB_ERR_NO_DOMAIN_SNAPSHOT,/* "Domain snapshot not found" */
        VB_ERR_INVALID_UUID,      /* bare "Invalid UUID" */
        VB_ERR_OPERATION_TIMEOUT, /* "Timed out during operation" */
        VB_ERR_RESOURCE_BUSY,     /* "resource busy" */
        VB_ERR_CONFIG_UNSUPPORTED,/* "unsupported configuration" */
        VB_ERR_NO_MEMORY,         /* "out of memory" */
        VB_ERR_LIMIT,             /* "limit exceeded" */
        VB_ERR_OPERATION_ABORTED, /* "operation aborted" */
        VB_ERR_NO_DOMAIN_METADATA,/* "metadata not found" */
        VB_ERR_OPERATION_UNSUPPORTED, /* "Operation not supported" */
        _VB_ERR_MAX,
} VbErrorCode;

typedef struct VbError {
        VbErrorCode code;
        char *message;          /* full text: "<prefix>: <detail>" */
} VbError;

#define VB_ERROR_NULL ((VbError) { 0 })

/* Record an error and return the matching negative errno. A NULL error is allowed
 * (message dropped). The detail may be NULL: then the message is the bare prefix. */
int vb_error_set(VbError *e, VbErrorCode code, const char *fmt, ...) _printf_(3, 4);
/* "this function is not supported by the connection driver: <api>" */
int vb_error_unsupported(VbError *e, const char *api);
void vb_error_clear(VbError *e);
int vb_error_code_to_errno(VbErrorCode code);
const char *vb_error_code_prefix(VbErrorCode code);
static inline void vb_error_clearp(VbError *e) { vb_error_clear(e); }
#define _cleanup_vb_error_ _cleanup_(vb_error_clearp)
