/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include <stdbool.h>

typedef enum VbBusKindSel { VB_BUS_SYSTEM, VB_BUS_SESSION, VB_BUS_ADDRESS } VbBusKindSel;

typedef struct VbServiceConfig {
        VbBusKindSel bus_kind;
        const char *bus_address;
        const char *root;          /* NULL: default per bus kind */
        const char *drivers;       /* "test,qemu" */
        bool verbose;
} VbServiceConfig;

/* Runs until SIGTERM/SIGINT or until the bus goes away. <0 on failure. */
int vb_service_run(const VbServiceConfig *cfg);
