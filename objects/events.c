/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Driver events → D-Bus signals: lifecycle events on the Connect object with the
 * object path (libvirt-dbus), per-object signals on the object's path, and
 * ObjectManager InterfacesAdded/Removed. */
#include <systemd/sd-event.h>

#include "bus-object.h"
#include "job.h"

/* PropertiesChanged is coalesced: objects touched during one loop iteration are
 * announced once, from a defer source, after any InterfacesAdded of the same
 * iteration. Objects gone by then are skipped. */
#define PENDING_MAX 256

static struct {
        char *paths[PENDING_MAX];
        const char *ifaces[PENDING_MAX];
        size_t n;
        sd_event_source *source;
        sd_bus *bus;
} pending;

static int flush_changed(sd_event_source *s, void *userdata) {
        for (size_t i = 0; i < pending.n; i++) {
                VbBusConnect *bc;
                const VbBusKind *k;
                void *obj;
                if (vb_bus_resolve(pending.paths[i], &bc, &k, &obj) >= 0)
                        sd_bus_emit_properties_changed_strv(pending.bus, pending.paths[i],
                                                            pending.ifaces[i], NULL);
                free(pending.paths[i]);
        }
        pending.n = 0;
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

static void queue_changed(sd_bus *bus, const char *path, const char *iface) {
        sd_event *event = sd_bus_get_event(bus);
        for (size_t i = 0; i < pending.n; i++)
                if (streq(pending.paths[i], path) && streq(pending.ifaces[i], iface))
                        return;
        if (!event || pending.n == PENDING_MAX)
                return;
        if (!pending.source && sd_event_add_defer(event, &pending.source, flush_changed, NULL) < 0)
                return;
        pending.bus = bus;
        pending.paths[pending.n] = vb_strdup(path);
        pending.ifaces[pending.n++] = iface;
        sd_event_source_set_enabled(pending.source, SD_EVENT_ONESHOT);
}

static void emit_connect(sd_bus *bus, const VbBusConnect *bc, const char *member, const char *path,
                         const VbEvent *ev, bool with_detail) {
        if (with_detail)
                sd_bus_emit_signal(bus, bc->path, "org.libvirt.Connect", member, "oii", path,
                                   ev->event, ev->detail);
        else
                sd_bus_emit_signal(bus, bc->path, "org.libvirt.Connect", member, "oi", path, ev->event);
}

static void object_manager(sd_bus *bus, const char *path, const VbBusKind *k, const VbEvent *ev) {
        bool added = false, removed = false;

        switch (ev->type) {
        case VB_EVENT_DOMAIN_LIFECYCLE:
                /* a domain appears on define/transient start, goes on undefine/transient stop */
                added = (ev->event == VB_EV_DEFINED && ev->detail == VB_EV_DEFINED_ADDED) ||
                        (ev->event == VB_EV_STARTED && !((VbDomainObj *) ev->obj)->persistent);
                removed = (ev->event == VB_EV_UNDEFINED && !vb_domain_is_active(ev->obj)) ||
                          (ev->event == VB_EV_STOPPED && !((VbDomainObj *) ev->obj)->persistent);
                break;
        case VB_EVENT_OBJECT_ADDED:
                added = true;
                break;
        case VB_EVENT_OBJECT_REMOVED:
                removed = true;
                break;
        default:
                break;
        }
        /* helper-H: a renamed domain keeps its path: it comes back after UNDEFINED/RENAMED */
        if (ev->type == VB_EVENT_DOMAIN_LIFECYCLE && ev->event == VB_EV_DEFINED &&
            ev->detail == VB_EV_DEFINED_RENAMED)
                added = true;
        if (added)
                sd_bus_emit_interfaces_added(bus, path, k->interface, NULL);
        if (removed)
                sd_bus_emit_interfaces_removed(bus, path, k->interface, NULL);
}

void vb_bus_event_sink(const VbEvent *ev, void *userdata) {
        sd_bus *bus = userdata;
        const VbBusKind *k = vb_bus_kind_by_kind(ev->kind);
        VbBusConnect *bc = vb_bus_connect_of(ev->conn);
        _cleanup_free_ char *path = NULL;

        if (!k || !bc)
                return;
        path = vb_bus_object_path(k, ev->obj);
        if (!path)
                return;
        switch (ev->type) {
        case VB_EVENT_DOMAIN_LIFECYCLE:
                emit_connect(bus, bc, "DomainEvent", path, ev, true);
                break;
        case VB_EVENT_DOMAIN_REBOOT:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "Reboot", "");
                break;
        case VB_EVENT_DOMAIN_METADATA:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "MetadataChange", "is",
                                   ev->event, strempty(ev->str));
                break;
        case VB_EVENT_DOMAIN_DEVICE_ADDED:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "DeviceAdded", "s", strempty(ev->str));
                break;
        case VB_EVENT_DOMAIN_DEVICE_REMOVED:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "DeviceRemoved", "s", strempty(ev->str));
                break;
        case VB_EVENT_DOMAIN_BALLOON:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "BalloonChange", "t", ev->u64);
                break;
        case VB_EVENT_DOMAIN_TRAY_CHANGE:
                sd_bus_emit_signal(bus, path, "org.libvirt.Domain", "TrayChange", "si", strempty(ev->str),
                                   ev->event);
                break;
        case VB_EVENT_NETWORK_LIFECYCLE:
                emit_connect(bus, bc, "NetworkEvent", path, ev, false);
                break;
        case VB_EVENT_POOL_LIFECYCLE:
                emit_connect(bus, bc, "StoragePoolEvent", path, ev, true);
                break;
        case VB_EVENT_POOL_REFRESH:
                sd_bus_emit_signal(bus, path, "org.libvirt.StoragePool", "Refresh", "");
                break;
        case VB_EVENT_NODEDEV_LIFECYCLE:
                emit_connect(bus, bc, "NodeDeviceEvent", path, ev, true);
                break;
        case VB_EVENT_SECRET_LIFECYCLE:
                emit_connect(bus, bc, "SecretEvent", path, ev, true);
                break;
        case VB_EVENT_JOB_FINISHED: {
                const VbJob *j = ev->obj;
                sd_bus_emit_signal(bus, path, "org.virtbus.Job1", "Finished", "bs",
                                   j->state == VB_JOB_COMPLETED, strempty(j->error));
                break;
        }
        default:
                break;
        }
        object_manager(bus, path, k, ev);
        if (ev->type != VB_EVENT_OBJECT_REMOVED)
                queue_changed(bus, path, k->interface);
}
