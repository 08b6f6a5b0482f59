/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Method → ACL permission table. Each row names the permission(s) libvirt's remote protocol
 * requires for the libvirt API the org.libvirt method wraps (e.g. Domain.Create wraps
 * virDomainCreateWithFlags: domain start). Object-creating methods on Connect check the
 * object they create (DomainDefineXML: domain write + save). */
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "hashmap.h"
#include "util.h"

#define SAVE_IF_CONFIG \
        .flag_perm = "save", .flag_perm_mask = VB_ACL_AFFECT_CONFIG, .flag_perm_current = true
#define FILTER(o, p) .filter_object = (o), .filter_perm = (p)

#define C(m, o, p, ...) { "org.libvirt.Connect", (m), (o), (p), __VA_ARGS__ }
#define D(m, p, ...) { "org.libvirt.Domain", (m), "domain", (p), __VA_ARGS__ }
#define S(m, p, ...) { "org.libvirt.DomainSnapshot", (m), "domain", (p), __VA_ARGS__ }
#define N(m, p, ...) { "org.libvirt.Network", (m), "network", (p), __VA_ARGS__ }
#define P(m, o, p, ...) { "org.libvirt.StoragePool", (m), (o), (p), __VA_ARGS__ }
#define V(m, p, ...) { "org.libvirt.StorageVol", (m), "storage-vol", (p), __VA_ARGS__ }
#define ND(m, p, ...) { "org.libvirt.NodeDevice", (m), "node-device", (p), __VA_ARGS__ }
#define I(m, p, ...) { "org.libvirt.Interface", (m), "interface", (p), __VA_ARGS__ }
#define SE(m, p, ...) { "org.libvirt.Secret", (m), "secret", (p), __VA_ARGS__ }
#define F(m, p, ...) { "org.libvirt.NWFilter", (m), "nwfilter", (p), __VA_ARGS__ }

static const VbAcl acl_table[] = {
        /* org.libvirt.Connect (56) */
        C("BaselineCPU", "connect", "read"),
        C("CompareCPU", "connect", "read"),
        C("DomainCreateXML", "domain", "write", "start"),
        C("DomainCreateXMLWithFiles", "domain", "write", "start"),
        C("DomainDefineXML", "domain", "write", "save"),
        C("DomainLookupByID", "domain", "getattr"),
        C("DomainLookupByName", "domain", "getattr"),
        C("DomainLookupByUUID", "domain", "getattr"),
        C("DomainRestore", "domain", "start", "write"),
        C("DomainSaveImageDefineXML", "domain", "write", "hibernate"),
        C("DomainSaveImageGetXMLDesc", "domain", "read", NULL, VB_ACL_XML_SECURE),
        C("FindStoragePoolSources", "connect", "detect-storage-pools"),
        C("GetAllDomainStats", "connect", "search-domains", FILTER("domain", "read")),
        C("GetCapabilities", "connect", "read"),
        C("GetCPUModelNames", "connect", "read"),
        C("GetDomainCapabilities", "connect", "write"),
        C("GetSysinfo", "connect", "read"),
        C("InterfaceChangeBegin", "connect", "interface-transaction"),
        C("InterfaceChangeCommit", "connect", "interface-transaction"),
        C("InterfaceChangeRollback", "connect", "interface-transaction"),
        C("InterfaceDefineXML", "interface", "write", "save"),
        C("InterfaceLookupByMAC", "interface", "getattr"),
        C("InterfaceLookupByName", "interface", "getattr"),
        C("ListDomains", "connect", "search-domains", FILTER("domain", "getattr")),
        C("ListInterfaces", "connect", "search-interfaces", FILTER("interface", "getattr")),
        C("ListNetworks", "connect", "search-networks", FILTER("network", "getattr")),
        C("ListNodeDevices", "connect", "search-node-devices", FILTER("node-device", "getattr")),
        C("ListNWFilters", "connect", "search-nwfilters", FILTER("nwfilter", "getattr")),
        C("ListSecrets", "connect", "search-secrets", FILTER("secret", "getattr")),
        C("ListStoragePools", "connect", "search-storage-pools",
          FILTER("storage-pool", "getattr")),
        C("NetworkCreateXML", "network", "write", "start"),
        C("NetworkDefineXML", "network", "write", "save"),
        C("NetworkLookupByName", "network", "getattr"),
        C("NetworkLookupByUUID", "network", "getattr"),
        C("NodeDeviceCreateXML", "node-device", "write", "start"),
        C("NodeDeviceLookupByName", "node-device", "getattr"),
        C("NodeDeviceLookupSCSIHostByWWN", "node-device", "getattr"),
        C("NWFilterDefineXML", "nwfilter", "write", "save"),
        C("NWFilterLookupByName", "nwfilter", "getattr"),
        C("NWFilterLookupByUUID", "nwfilter", "getattr"),
        C("NodeGetCPUMap", "connect", "read"),
        C("NodeGetCPUStats", "connect", "read"),
        C("NodeGetFreeMemory", "connect", "read"),
        C("NodeGetMemoryParameters", "connect", "read"),
        C("NodeGetMemoryStats", "connect", "read"),
        C("NodeGetSecurityModel", "connect", "read"),
        C("NodeSetMemoryParameters", "connect", "write"),
        C("SecretDefineXML", "secret", "write", "save"),
        C("SecretLookupByUUID", "secret", "getattr"),
        C("SecretLookupByUsage", "secret", "getattr"),
        C("StoragePoolCreateXML", "storage-pool", "start", "write"),
        C("StoragePoolDefineXML", "storage-pool", "write", "save"),
        C("StoragePoolLookupByName", "storage-pool", "getattr"),
        C("StoragePoolLookupByUUID", "storage-pool", "getattr"),
        C("StorageVolLookupByKey", "storage-vol", "getattr"),
        C("StorageVolLookupByPath", "storage-vol", "getattr"),

        /* org.libvirt.Domain (94) */
        D("AbortJob", "write"),
        D("AddIOThread", "write", SAVE_IF_CONFIG),
        D("AttachDevice", "write", SAVE_IF_CONFIG),
        D("BlockCommit", "block-write"),
        D("BlockCopy", "block-write"),
        D("BlockJobAbort", "write"),
        D("BlockPeek", "block-read"),
        D("BlockPull", "block-write"),
        D("BlockRebase", "block-write"),
        D("BlockResize", "block-write"),
        D("BlockJobSetSpeed", "write"),
        D("CoreDump", "core-dump"),
        D("Create", "start"),
        D("CreateWithFiles", "start"),
        D("DelIOThread", "write", SAVE_IF_CONFIG),
        D("Destroy", "stop"),
        D("DetachDevice", "write", SAVE_IF_CONFIG),
        D("FSFreeze", "fs-freeze"),
        D("FSThaw", "fs-freeze"),
        D("FSTrim", "fs-trim"),
        D("GetBlockIOParameters", "read"),
        D("GetBlockIOTune", "read"),
        D("GetBlockJobInfo", "read"),
        D("GetControlInfo", "read"),
        D("GetDiskErrors", "read"),
        D("GetEmulatorPinInfo", "read"),
        D("GetFSInfo", "fs-freeze"),
        D("GetGuestVcpus", "write"),
        D("GetHostname", "read"),
        D("GetInterfaceParameters", "read"),
        D("GetIOThreadInfo", "read"),
        D("GetJobInfo", "read"),
        D("GetJobStats", "read"),
        D("GetMemoryParameters", "read"),
        D("GetMetadata", "read"),
        D("GetNumaParameters", "read"),
        D("GetPerfEvents", "read"),
        D("GetSchedulerParameters", "read"),
        D("GetSecurityLabelList", "read"),
        D("GetState", "read"),
        D("GetStats", "read"),
        D("GetTime", "read"),
        D("GetVcpuPinInfo", "read"),
        D("GetVcpus", "read", .flag_perm = "write", .flag_perm_mask = VB_ACL_VCPU_GUEST),
        D("GetXMLDesc", "read", NULL, VB_ACL_XML_SECURE | VB_ACL_XML_MIGRATABLE),
        D("HasManagedSaveImage", "read"),
        D("InjectNMI", "inject-nmi"),
        D("InterfaceAddresses", "read"),
        D("ListDomainSnapshots", "read"),
        D("ManagedSave", "hibernate"),
        D("ManagedSaveRemove", "hibernate"),
        D("MemoryPeek", "mem-read"),
        D("MemoryStats", "read"),
        D("MigrateGetCompressionCache", "migrate"),
        D("MigrateGetMaxSpeed", "migrate"),
        D("MigrateSetCompressionCache", "migrate"),
        D("MigrateSetMaxDowntime", "migrate"),
        D("MigrateSetMaxSpeed", "migrate"),
        D("MigrateStartPostCopy", "migrate"),
        D("MigrateToURI3", "migrate"),
        D("OpenGraphicsFD", "open-graphics"),
        D("PinEmulator", "write", SAVE_IF_CONFIG),
        D("PinIOThread", "write", SAVE_IF_CONFIG),
        D("PinVcpu", "write", SAVE_IF_CONFIG),
        D("PMWakeup", "pm-control"),
        D("Reboot", "init-control", .flag_perm = "write", .flag_perm_mask = VB_ACL_GUEST_AGENT),
        D("Rename", "write", "save"),
        D("Reset", "reset"),
        D("Resume", "suspend"),
        D("Save", "hibernate"),
        D("SendKey", "send-input"),
        D("SendProcessSignal", "send-signal"),
        D("SetBlockIOParameters", "write", SAVE_IF_CONFIG),
        D("SetBlockIOTune", "write", SAVE_IF_CONFIG),
        D("SetBlockThreshold", "write"),
        D("SetGuestVcpus", "write"),
        D("SetInterfaceParameters", "write", SAVE_IF_CONFIG),
        D("SetMemory", "write", SAVE_IF_CONFIG),
        D("SetMemoryParameters", "write", SAVE_IF_CONFIG),
        D("SetMemoryStatsPeriod", "write", SAVE_IF_CONFIG),
        D("SetMetadata", "write", SAVE_IF_CONFIG),
        D("SetNumaParameters", "write", SAVE_IF_CONFIG),
        D("SetPerfEvents", "write", SAVE_IF_CONFIG),
        D("SetSchedulerParameters", "write", SAVE_IF_CONFIG),
        D("SetUserPassword", "set-password"),
        D("SetTime", "set-time"),
        D("SetVcpus", "write", SAVE_IF_CONFIG),
        D("Shutdown", "init-control", .flag_perm = "write", .flag_perm_mask = VB_ACL_GUEST_AGENT),
        D("SnapshotCurrent", "read"),
        D("SnapshotCreateXML", "snapshot", .flag_perm = "fs-freeze",
          .flag_perm_mask = VB_ACL_SNAPSHOT_QUIESCE),
        D("SnapshotLookupByName", "read"),
        D("Suspend", "suspend"),
        D("Undefine", "delete"),
        D("UpdateDevice", "write", SAVE_IF_CONFIG),

        /* org.libvirt.DomainSnapshot (6): permissions on the snapshot's domain */
        S("Delete", "snapshot"),
        S("GetParent", "read"),
        S("GetXMLDesc", "read", NULL, VB_ACL_XML_SECURE),
        S("IsCurrent", "read"),
        S("ListChildren", "read"),
        S("Revert", "snapshot"),

        /* org.libvirt.Network (6) */
        N("Create", "start"),
        N("Destroy", "stop"),
        N("GetDHCPLeases", "read"),
        N("GetXMLDesc", "read"),
        N("Undefine", "delete"),
        N("Update", "write", SAVE_IF_CONFIG),

        /* org.libvirt.StoragePool (12) */
        P("Build", "storage-pool", "format"),
        P("Create", "storage-pool", "start"),
        P("Delete", "storage-pool", "format"),
        P("Destroy", "storage-pool", "stop"),
        P("GetInfo", "storage-pool", "read"),
        P("GetXMLDesc", "storage-pool", "read"),
        P("ListStorageVolumes", "storage-pool", "search-storage-vols",
          FILTER("storage-vol", "getattr")),
        P("Refresh", "storage-pool", "refresh"),
        P("StorageVolCreateXML", "storage-vol", "create"),
        P("StorageVolCreateXMLFrom", "storage-vol", "create"),
        P("StorageVolLookupByName", "storage-vol", "getattr"),
        P("Undefine", "storage-pool", "delete"),

        /* org.libvirt.StorageVol (5) */
        V("Delete", "delete"),
        V("GetInfo", "read"),
        V("GetXMLDesc", "read"),
        V("Resize", "resize"),
        V("Wipe", "format"),

        /* org.libvirt.NodeDevice (6) */
        ND("Destroy", "stop"),
        ND("Detach", "detach"),
        ND("GetXMLDesc", "read"),
        ND("ListCaps", "read"),
        ND("ReAttach", "detach"),
        ND("Reset", "detach"),

        /* org.libvirt.Interface (4) */
        I("Create", "start"),
        I("Destroy", "stop"),
        I("GetXMLDesc", "read"),
        I("Undefine", "delete"),

        /* org.libvirt.Secret (4) */
        SE("GetValue", "read-secure"),
        SE("GetXMLDesc", "read"),
        SE("SetValue", "write"),
        SE("Undefine", "delete"),

        /* org.libvirt.NWFilter (2) */
        F("GetXMLDesc", "read"),
        F("Undefine", "delete"),
};

/* Properties: identity attributes (names, UUIDs, keys) are "getattr", like the lookups that
 * reveal them; state is "read", like the virXxxIsActive/GetAutostart calls behind it. */
static const VbAcl property_table[] = {
        { "org.libvirt.Connect", "Encrypted", "connect", "getattr" },
        { "org.libvirt.Connect", "Hostname", "connect", "getattr" },
        { "org.libvirt.Connect", "LibVersion", "connect", "getattr" },
        { "org.libvirt.Connect", "Secure", "connect", "getattr" },
        { "org.libvirt.Connect", "Version", "connect", "getattr" },
        { "org.libvirt.Domain", "Active", "domain", "read" },
        { "org.libvirt.Domain", "Autostart", "domain", "read" },
        { "org.libvirt.Domain", "Id", "domain", "getattr" },
        { "org.libvirt.Domain", "Name", "domain", "getattr" },
        { "org.libvirt.Domain", "OSType", "domain", "read" },
        { "org.libvirt.Domain", "Persistent", "domain", "read" },
        { "org.libvirt.Domain", "SchedulerType", "domain", "read" },
        { "org.libvirt.Domain", "Updated", "domain", "read" },
        { "org.libvirt.Domain", "UUID", "domain", "getattr" },
        { "org.libvirt.Network", "Active", "network", "read" },
        { "org.libvirt.Network", "Autostart", "network", "read" },
        { "org.libvirt.Network", "Name", "network", "getattr" },
        { "org.libvirt.Network", "Persistent", "network", "read" },
        { "org.libvirt.Network", "UUID", "network", "getattr" },
        { "org.libvirt.StoragePool", "Active", "storage-pool", "read" },
        { "org.libvirt.StoragePool", "Autostart", "storage-pool", "read" },
        { "org.libvirt.StoragePool", "Name", "storage-pool", "getattr" },
        { "org.libvirt.StoragePool", "Persistent", "storage-pool", "read" },
        { "org.libvirt.StoragePool", "UUID", "storage-pool", "getattr" },
        { "org.libvirt.StorageVol", "Name", "storage-vol", "getattr" },
        { "org.libvirt.StorageVol", "Key", "storage-vol", "getattr" },
        { "org.libvirt.StorageVol", "Path", "storage-vol", "read" },
        { "org.libvirt.NodeDevice", "Name", "node-device", "getattr" },
        { "org.libvirt.NodeDevice", "Parent", "node-device", "read" },
        { "org.libvirt.Interface", "Active", "interface", "read" },
        { "org.libvirt.Interface", "MAC", "interface", "getattr" },
        { "org.libvirt.Interface", "Name", "interface", "getattr" },
        { "org.libvirt.Secret", "UUID", "secret", "getattr" },
        { "org.libvirt.Secret", "UsageID", "secret", "getattr" },
        { "org.libvirt.Secret", "UsageType", "secret", "getattr" },
        { "org.libvirt.NWFilter", "Name", "nwfilter", "getattr" },
        { "org.libvirt.NWFilter", "UUID", "nwfilter", "getattr" },
};

/* The writable properties: Autostart wraps virXxxSetAutostart, which needs "write". */
static const VbAcl property_set_table[] = {
        { "org.libvirt.Domain", "Autostart", "domain", "write" },
        { "org.libvirt.Network", "Autostart", "network", "write" },
        { "org.libvirt.StoragePool", "Autostart", "storage-pool", "write" },
};

typedef struct AclIndex {
        VbHashmap map;
        bool built, failed;
} AclIndex;

static bool acl_match(const void *value, const void *key) {
        const VbAcl *a = value;
        const char *const *k = key;
        return streq(a->member, k[1]) && streq(a->interface, k[0]);
}

static const VbAcl *scan(const VbAcl *t, size_t n, const char *interface, const char *member) {
        for (size_t i = 0; i < n; i++)
                if (streq(t[i].interface, interface) && streq(t[i].member, member))
                        return &t[i];
        return NULL;
}

/* Every call is looked up here (by the gate, and again by List* replies): an
 * index by member name instead of strcmp along ~200 rows. The first row of a
 * duplicate pair wins, as with the scan. */
static const VbAcl *find(const VbAcl *t, size_t n, AclIndex *idx, const char *interface,
                         const char *member) {
        if (!interface || !member)
                return NULL;
        if (!idx->built && !idx->failed) {
                for (size_t i = 0; i < n && !idx->failed; i++) {
                        const char *k[2] = { t[i].interface, t[i].member };
                        uint32_t h = vb_hash_string(t[i].member);
                        if (!vb_hashmap_find(&idx->map, h, acl_match, k) &&
                            vb_hashmap_put(&idx->map, h, (void *) &t[i]) < 0)
                                idx->failed = true;
                }
                idx->built = !idx->failed;
        }
        if (!idx->built)
                return scan(t, n, interface, member);
        return vb_hashmap_find(&idx->map, vb_hash_string(member), acl_match,
                               (const char *[2]) { interface, member });
}

/* Our org.virtbus.* extensions, kept apart from the 195 org.libvirt rows. */
static const VbAcl acl_ext_table[] = {
        { "org.virtbus.Connect1", "NodeGetInfo", "connect", "read" },
        /* cancelling changes what the job's target ends up as */
        { "org.virtbus.Job1", "Cancel", "connect", "write" },
        /* virDomainOpenConsole's permission; OpenGraphicsFD is org.libvirt's open-graphics row */
        { "org.virtbus.Console1", "OpenConsole", "domain", "open-device" },
        /* virStorageVolUpload / virStorageVolDownload's permissions */
        { "org.virtbus.StorageVol1", "Upload", "storage-vol", "data-write" },
        { "org.virtbus.StorageVol1", "Download", "storage-vol", "data-read" },
};

const VbAcl *vb_acl_lookup(const char *interface, const char *member) {
        static AclIndex idx, ext_idx;
        const VbAcl *a = find(acl_table, ELEMENTSOF(acl_table), &idx, interface, member);
        return a ? a : find(acl_ext_table, ELEMENTSOF(acl_ext_table), &ext_idx, interface, member);
}

const VbAcl *vb_acl_table(size_t *n) {
        if (n)
                *n = ELEMENTSOF(acl_table);
        return acl_table;
}

const VbAcl *vb_acl_lookup_property(const char *interface, const char *property, bool set) {
        static AclIndex set_idx, get_idx;
        if (set)
                return find(property_set_table, ELEMENTSOF(property_set_table), &set_idx, interface,
                            property);
        return find(property_table, ELEMENTSOF(property_table), &get_idx, interface, property);
}

const VbAcl *vb_acl_property_table(size_t *n) {
        /* reads first, then the writes, as one view */
        static VbAcl all[ELEMENTSOF(property_table) + ELEMENTSOF(property_set_table)];

        if (!all[0].interface) {
                memcpy(all, property_table, sizeof(property_table));
                memcpy(all + ELEMENTSOF(property_table), property_set_table,
                       sizeof(property_set_table));
        }
        if (n)
                *n = ELEMENTSOF(all);
        return all;
}

static bool flag_perm_applies(const VbAcl *acl, unsigned flags) {
        if (!acl->flag_perm)
                return false;
        if (flags & acl->flag_perm_mask)
                return true;
        return acl->flag_perm_current &&
               !(flags & (VB_ACL_AFFECT_LIVE | VB_ACL_AFFECT_CONFIG));
}

size_t vb_acl_perms(const VbAcl *acl, unsigned flags, const char *ret[VB_ACL_PERMS_MAX]) {
        size_t n = 0;

        if (!acl)
                return 0;
        ret[n++] = acl->perm;
        if (acl->perm2)
                ret[n++] = acl->perm2;
        if (flag_perm_applies(acl, flags))
                ret[n++] = acl->flag_perm;
        if (acl->secure_flag & flags)
                ret[n++] = "read-secure";
        return n;
}

char *vb_acl_action_id(const char *object, const char *perm) {
        char *id;

        if (isempty(object) || isempty(perm))
                return NULL;
        if (asprintf(&id, "org.libvirt.api.%s.%s", object, perm) < 0)
                return NULL;
        for (char *p = id; *p; p++)
                if (*p == '_')
                        *p = '-';
        return id;
}
