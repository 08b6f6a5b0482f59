/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Device edits of a domain definition as a document, shared by the drivers'
 * attach/detach/update (libvirt parses the device and edits its own structures; we
 * edit <devices> and parse the whole definition again, so every rule of the domain
 * model applies to the result). */
#pragma once

#include <libxml/tree.h>

#include "driver.h"

typedef enum VbDevEditHow { VB_DEV_ATTACH, VB_DEV_DETACH, VB_DEV_UPDATE } VbDevEditHow;

/* The common end of every device edit: @old (the matching element; not used when
 * attaching) removed, replaced by a copy of @dev, or a copy of @dev appended. */
int vb_devices_apply(xmlNodePtr devices, xmlNodePtr old, xmlNodePtr dev, VbDevEditHow how, VbError *e);

/* Edits @devices in place: adds, removes or replaces one device element. */
typedef int (*VbDevicesEditFn)(xmlNodePtr devices, void *userdata, VbError *e);

/* *ret = @def (its live form with @live, else the inactive one) with @edit applied
 * to its <devices> (created when missing). @def itself is not changed, so a refused
 * edit changes nothing. */
int vb_domain_def_edit_devices(const VbDomainDef *def, bool live, VbDevicesEditFn edit, void *userdata,
                               VbDomainDef **ret, VbError *e);
