/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ACL table covers every org.libvirt method, and every action it names exists in the
 * shipped polkit policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "acl.h"
#include "util.h"

#define POLICY_FILE "polkit/org.libvirt.api.policy"

/* interface.member of every method in the API reference (§5.2–5.11 of org.libvirt-api.md) */
static const char *const methods[] = {
        "org.libvirt.Connect.BaselineCPU",
        "org.libvirt.Connect.CompareCPU",
        "org.libvirt.Connect.DomainCreateXML",
        "org.libvirt.Connect.DomainCreateXMLWithFiles",
        "org.libvirt.Connect.DomainDefineXML",
        "org.libvirt.Connect.DomainLookupByID",
        "org.libvirt.Connect.DomainLookupByName",
        "org.libvirt.Connect.DomainLookupByUUID",
        "org.libvirt.Connect.DomainRestore",
        "org.libvirt.Connect.DomainSaveImageDefineXML",
        "org.libvirt.Connect.DomainSaveImageGetXMLDesc",
        "org.libvirt.Connect.FindStoragePoolSources",
        "org.libvirt.Connect.GetAllDomainStats",
        "org.libvirt.Connect.GetCapabilities",
        "org.libvirt.Connect.GetCPUModelNames",
        "org.libvirt.Connect.GetDomainCapabilities",
        "org.libvirt.Connect.GetSysinfo",
        "org.libvirt.Connect.InterfaceChangeBegin",
        "org.libvirt.Connect.InterfaceChangeCommit",
        "org.libvirt.Connect.InterfaceChangeRollback",
        "org.libvirt.Connect.InterfaceDefineXML",
        "org.libvirt.Connect.InterfaceLookupByMAC",
        "org.libvirt.Connect.InterfaceLookupByName",
        "org.libvirt.Connect.ListDomains",
        "org.libvirt.Connect.ListInterfaces",
        "org.libvirt.Connect.ListNetworks",
        "org.libvirt.Connect.ListNodeDevices",
        "org.libvirt.Connect.ListNWFilters",
        "org.libvirt.Connect.ListSecrets",
        "org.libvirt.Connect.ListStoragePools",
        "org.libvirt.Connect.NetworkCreateXML",
        "org.libvirt.Connect.NetworkDefineXML",
        "org.libvirt.Connect.NetworkLookupByName",
        "org.libvirt.Connect.NetworkLookupByUUID",
        "org.libvirt.Connect.NodeDeviceCreateXML",
        "org.libvirt.Connect.NodeDeviceLookupByName",
        "org.libvirt.Connect.NodeDeviceLookupSCSIHostByWWN",
        "org.libvirt.Connect.NWFilterDefineXML",
        "org.libvirt.Connect.NWFilterLookupByName",
        "org.libvirt.Connect.NWFilterLookupByUUID",
        "org.libvirt.Connect.NodeGetCPUMap",
        "org.libvirt.Connect.NodeGetCPUStats",
        "org.libvirt.Connect.NodeGetFreeMemory",
        "org.libvirt.Connect.NodeGetMemoryParameters",
        "org.libvirt.Connect.NodeGetMemoryStats",
        "org.libvirt.Connect.NodeGetSecurityModel",
        "org.libvirt.Connect.NodeSetMemoryParameters",
        "org.libvirt.Connect.SecretDefineXML",
        "org.libvirt.Connect.SecretLookupByUUID",
        "org.libvirt.Connect.SecretLookupByUsage",
        "org.libvirt.Connect.StoragePoolCreateXML",
        "org.libvirt.Connect.StoragePoolDefineXML",
        "org.libvirt.Connect.StoragePoolLookupByName",
        "org.libvirt.Connect.StoragePoolLookupByUUID",
        "org.libvirt.Connect.StorageVolLookupByKey",
        "org.libvirt.Connect.StorageVolLookupByPath",
        "org.libvirt.Domain.AbortJob",
        "org.libvirt.Domain.AddIOThread",
        "org.libvirt.Domain.AttachDevice",
        "org.libvirt.Domain.BlockCommit",
        "org.libvirt.Domain.BlockCopy",
        "org.libvirt.Domain.BlockJobAbort",
        "org.libvirt.Domain.BlockPeek",
        "org.libvirt.Domain.BlockPull",
        "org.libvirt.Domain.BlockRebase",
        "org.libvirt.Domain.BlockResize",
        "org.libvirt.Domain.BlockJobSetSpeed",
        "org.libvirt.Domain.CoreDump",
        "org.libvirt.Domain.Create",
        "org.libvirt.Domain.CreateWithFiles",
        "org.libvirt.Domain.DelIOThread",
        "org.libvirt.Domain.Destroy",
        "org.libvirt.Domain.DetachDevice",
        "org.libvirt.Domain.FSFreeze",
        "org.libvirt.Domain.FSThaw",
        "org.libvirt.Domain.FSTrim",
        "org.libvirt.Domain.GetBlockIOParameters",
        "org.libvirt.Domain.GetBlockIOTune",
        "org.libvirt.Domain.GetBlockJobInfo",
        "org.libvirt.Domain.GetControlInfo",
        "org.libvirt.Domain.GetDiskErrors",
        "org.libvirt.Domain.GetEmulatorPinInfo",
        "org.libvirt.Domain.GetFSInfo",
        "org.libvirt.Domain.GetGuestVcpus",
        "org.libvirt.Domain.GetHostname",
        "org.libvirt.Domain.GetInterfaceParameters",
        "org.libvirt.Domain.GetIOThreadInfo",
        "org.libvirt.Domain.GetJobInfo",
        "org.libvirt.Domain.GetJobStats",
        "org.libvirt.Domain.GetMemoryParameters",
        "org.libvirt.Domain.GetMetadata",
        "org.libvirt.Domain.GetNumaParameters",
        "org.libvirt.Domain.GetPerfEvents",
        "org.libvirt.Domain.GetSchedulerParameters",
        "org.libvirt.Domain.GetSecurityLabelList",
        "org.libvirt.Domain.GetState",
        "org.libvirt.Domain.GetStats",
        "org.libvirt.Domain.GetTime",
        "org.libvirt.Domain.GetVcpuPinInfo",
        "org.libvirt.Domain.GetVcpus",
        "org.libvirt.Domain.GetXMLDesc",
        "org.libvirt.Domain.HasManagedSaveImage",
        "org.libvirt.Domain.InjectNMI",
        "org.libvirt.Domain.InterfaceAddresses",
        "org.libvirt.Domain.ListDomainSnapshots",
        "org.libvirt.Domain.ManagedSave",
        "org.libvirt.Domain.ManagedSaveRemove",
        "org.libvirt.Domain.MemoryPeek",
        "org.libvirt.Domain.MemoryStats",
        "org.libvirt.Domain.MigrateGetCompressionCache",
        "org.libvirt.Domain.MigrateGetMaxSpeed",
        "org.libvirt.Domain.MigrateSetCompressionCache",
        "org.libvirt.Domain.MigrateSetMaxDowntime",
        "org.libvirt.Domain.MigrateSetMaxSpeed",
        "org.libvirt.Domain.MigrateStartPostCopy",
        "org.libvirt.Domain.MigrateToURI3",
        "org.libvirt.Domain.OpenGraphicsFD",
        "org.libvirt.Domain.PinEmulator",
        "org.libvirt.Domain.PinIOThread",
        "org.libvirt.Domain.PinVcpu",
        "org.libvirt.Domain.PMWakeup",
        "org.libvirt.Domain.Reboot",
        "org.libvirt.Domain.Rename",
        "org.libvirt.Domain.Reset",
        "org.libvirt.Domain.Resume",
        "org.libvirt.Domain.Save",
        "org.libvirt.Domain.SendKey",
        "org.libvirt.Domain.SendProcessSignal",
        "org.libvirt.Domain.SetBlockIOParameters",
        "org.libvirt.Domain.SetBlockIOTune",
        "org.libvirt.Domain.SetBlockThreshold",
        "org.libvirt.Domain.SetGuestVcpus",
        "org.libvirt.Domain.SetInterfaceParameters",
        "org.libvirt.Domain.SetMemory",
        "org.libvirt.Domain.SetMemoryParameters",
        "org.libvirt.Domain.SetMemoryStatsPeriod",
        "org.libvirt.Domain.SetMetadata",
        "org.libvirt.Domain.SetNumaParameters",
        "org.libvirt.Domain.SetPerfEvents",
        "org.libvirt.Domain.SetSchedulerParameters",
        "org.libvirt.Domain.SetUserPassword",
        "org.libvirt.Domain.SetTime",
        "org.libvirt.Domain.SetVcpus",
        "org.libvirt.Domain.Shutdown",
        "org.libvirt.Domain.SnapshotCurrent",
        "org.libvirt.Domain.SnapshotCreateXML",
        "org.libvirt.Domain.SnapshotLookupByName",
        "org.libvirt.Domain.Suspend",
        "org.libvirt.Domain.Undefine",
        "org.libvirt.Domain.UpdateDevice",
        "org.libvirt.DomainSnapshot.Delete",
        "org.libvirt.DomainSnapshot.GetParent",
        "org.libvirt.DomainSnapshot.GetXMLDesc",
        "org.libvirt.DomainSnapshot.IsCurrent",
        "org.libvirt.DomainSnapshot.ListChildren",
        "org.libvirt.DomainSnapshot.Revert",
        "org.libvirt.Network.Create",
        "org.libvirt.Network.Destroy",
        "org.libvirt.Network.GetDHCPLeases",
        "org.libvirt.Network.GetXMLDesc",
        "org.libvirt.Network.Undefine",
        "org.libvirt.Network.Update",
        "org.libvirt.StoragePool.Build",
        "org.libvirt.StoragePool.Create",
        "org.libvirt.StoragePool.Delete",
        "org.libvirt.StoragePool.Destroy",
        "org.libvirt.StoragePool.GetInfo",
        "org.libvirt.StoragePool.GetXMLDesc",
        "org.libvirt.StoragePool.ListStorageVolumes",
        "org.libvirt.StoragePool.Refresh",
        "org.libvirt.StoragePool.StorageVolCreateXML",
        "org.libvirt.StoragePool.StorageVolCreateXMLFrom",
        "org.libvirt.StoragePool.StorageVolLookupByName",
        "org.libvirt.StoragePool.Undefine",
        "org.libvirt.StorageVol.Delete",
        "org.libvirt.StorageVol.GetInfo",
        "org.libvirt.StorageVol.GetXMLDesc",
        "org.libvirt.StorageVol.Resize",
        "org.libvirt.StorageVol.Wipe",
        "org.libvirt.NodeDevice.Destroy",
        "org.libvirt.NodeDevice.Detach",
        "org.libvirt.NodeDevice.GetXMLDesc",
        "org.libvirt.NodeDevice.ListCaps",
        "org.libvirt.NodeDevice.ReAttach",
        "org.libvirt.NodeDevice.Reset",
        "org.libvirt.Interface.Create",
        "org.libvirt.Interface.Destroy",
        "org.libvirt.Interface.GetXMLDesc",
        "org.libvirt.Interface.Undefine",
        "org.libvirt.Secret.GetValue",
        "org.libvirt.Secret.GetXMLDesc",
        "org.libvirt.Secret.SetValue",
        "org.libvirt.Secret.Undefine",
        "org.libvirt.NWFilter.GetXMLDesc",
        "org.libvirt.NWFilter.Undefine",
};

static const char *const objects[] = {
        "connect", "domain", "network", "storage-pool", "storage-vol", "node-device",
        "interface", "nwfilter", "secret",
};

static bool is_object(const char *o) {
        for (size_t i = 0; i < ELEMENTSOF(objects); i++)
                if (streq(objects[i], o))
                        return true;
        return false;
}

static void split(const char *full, char *iface, size_t len, const char **member) {
        const char *dot = strrchr(full, '.');

        assert_non_null(dot);
        assert_true((size_t) (dot - full) < len);
        memcpy(iface, full, dot - full);
        iface[dot - full] = '\0';
        *member = dot + 1;
}

static void test_every_method_has_entry(void **state) {
        size_t n;

        assert_int_equal(ELEMENTSOF(methods), 195);
        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                char iface[64];
                const char *member;
                const VbAcl *a;

                split(methods[i], iface, sizeof(iface), &member);
                a = vb_acl_lookup(iface, member);
                if (!a)
                        fail_msg("no ACL entry for %s", methods[i]);
                assert_string_equal(a->interface, iface);
                assert_string_equal(a->member, member);
                assert_true(is_object(a->object));
                assert_non_null(a->perm);
        }
        /* and nothing else: the table has exactly these 195, no duplicates */
        vb_acl_table(&n);
        assert_int_equal(n, 195);
}

static void test_no_duplicates(void **state) {
        size_t n;
        const VbAcl *t = vb_acl_table(&n);

        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (streq(t[i].interface, t[j].interface) && streq(t[i].member, t[j].member))
                                fail_msg("duplicate %s.%s", t[i].interface, t[i].member);
}

static void test_unknown(void **state) {
        assert_null(vb_acl_lookup("org.libvirt.Domain", "NoSuchMethod"));
        assert_null(vb_acl_lookup("org.libvirt.Nope", "Create"));
        assert_null(vb_acl_lookup(NULL, "Create"));
        assert_null(vb_acl_lookup_property("org.libvirt.Domain", "Name", true));
        assert_null(vb_acl_lookup_property("org.libvirt.Secret", "Nope", false));
}

static void expect_perms(const char *iface, const char *member, unsigned flags,
                         const char *const *want) {
        const VbAcl *a = vb_acl_lookup(iface, member);
        const char *got[VB_ACL_PERMS_MAX];
        size_t n, i;

        assert_non_null(a);
        n = vb_acl_perms(a, flags, got);
        for (i = 0; want[i]; i++) {
                assert_true(i < n);
                assert_string_equal(got[i], want[i]);
        }
        assert_int_equal(n, i);
}

static void test_known_mappings(void **state) {
        const char *const *w;

#define PERMS(...) (w = (const char *const[]) { __VA_ARGS__, NULL })
        expect_perms("org.libvirt.Domain", "Create", 0, PERMS("start"));
        expect_perms("org.libvirt.Domain", "Destroy", 0, PERMS("stop"));
        expect_perms("org.libvirt.Domain", "Shutdown", 0, PERMS("init-control"));
        expect_perms("org.libvirt.Domain", "Shutdown", VB_ACL_GUEST_AGENT,
                     PERMS("init-control", "write"));
        expect_perms("org.libvirt.Domain", "Reboot", 0, PERMS("init-control"));
        expect_perms("org.libvirt.Domain", "Reset", 0, PERMS("reset"));
        expect_perms("org.libvirt.Domain", "Suspend", 0, PERMS("suspend"));
        expect_perms("org.libvirt.Domain", "Resume", 0, PERMS("suspend"));
        expect_perms("org.libvirt.Domain", "Undefine", 0, PERMS("delete"));
        expect_perms("org.libvirt.Domain", "GetXMLDesc", 0, PERMS("read"));
        expect_perms("org.libvirt.Domain", "GetXMLDesc", VB_ACL_XML_SECURE,
                     PERMS("read", "read-secure"));
        expect_perms("org.libvirt.Domain", "GetXMLDesc", VB_ACL_XML_MIGRATABLE,
                     PERMS("read", "read-secure"));
        expect_perms("org.libvirt.Domain", "GetXMLDesc", 2 /* INACTIVE */, PERMS("read"));
        /* AFFECT_CURRENT and AFFECT_CONFIG may touch the persistent config: save */
        expect_perms("org.libvirt.Domain", "SetMemory", 0, PERMS("write", "save"));
        expect_perms("org.libvirt.Domain", "SetMemory", VB_ACL_AFFECT_LIVE, PERMS("write"));
        expect_perms("org.libvirt.Domain", "SetMemory", VB_ACL_AFFECT_CONFIG,
                     PERMS("write", "save"));
        expect_perms("org.libvirt.Domain", "GetVcpus", VB_ACL_VCPU_GUEST, PERMS("read", "write"));
        expect_perms("org.libvirt.Domain", "SnapshotCreateXML", VB_ACL_SNAPSHOT_QUIESCE,
                     PERMS("snapshot", "fs-freeze"));
        expect_perms("org.libvirt.Connect", "DomainDefineXML", 0, PERMS("write", "save"));
        expect_perms("org.libvirt.Connect", "DomainCreateXML", 0, PERMS("write", "start"));
        expect_perms("org.libvirt.Connect", "DomainLookupByName", 0, PERMS("getattr"));
        expect_perms("org.libvirt.Connect", "ListDomains", 0, PERMS("search-domains"));
        expect_perms("org.libvirt.Network", "Update", VB_ACL_AFFECT_LIVE, PERMS("write"));
        expect_perms("org.libvirt.Secret", "GetValue", 0, PERMS("read-secure"));
        expect_perms("org.libvirt.DomainSnapshot", "GetXMLDesc", VB_ACL_XML_SECURE,
                     PERMS("read", "read-secure"));
#undef PERMS
        (void) w;
        assert_string_equal(vb_acl_lookup("org.libvirt.Connect", "ListDomains")->filter_perm,
                            "getattr");
        assert_string_equal(vb_acl_lookup("org.libvirt.StoragePool",
                                          "StorageVolCreateXML")->object, "storage-vol");
        assert_string_equal(vb_acl_lookup("org.libvirt.DomainSnapshot", "Revert")->object,
                            "domain");
}

static void test_action_id(void **state) {
        _cleanup_free_ char *a = vb_acl_action_id("domain", "start");
        _cleanup_free_ char *b = vb_acl_action_id("storage_pool", "search_storage_vols");

        assert_string_equal(a, "org.libvirt.api.domain.start");
        assert_string_equal(b, "org.libvirt.api.storage-pool.search-storage-vols");
        assert_null(vb_acl_action_id("", "start"));
        assert_null(vb_acl_action_id("domain", NULL));
}

static void test_properties(void **state) {
        const VbAcl *a;

        a = vb_acl_lookup_property("org.libvirt.Domain", "Autostart", true);
        assert_non_null(a);
        assert_string_equal(a->perm, "write");
        a = vb_acl_lookup_property("org.libvirt.Domain", "Name", false);
        assert_non_null(a);
        assert_string_equal(a->perm, "getattr");
        a = vb_acl_lookup_property("org.libvirt.Network", "Active", false);
        assert_string_equal(a->perm, "read");
        assert_non_null(vb_acl_lookup_property("org.libvirt.StoragePool", "Autostart", true));
}

/* Collects the action ids of the policy file. */
static size_t policy_actions(char ***ret) {
        xmlDocPtr doc = xmlReadFile(POLICY_FILE, NULL, XML_PARSE_NONET);
        xmlNodePtr root;
        char **ids = NULL;
        size_t n = 0;

        if (!doc)
                fail_msg("cannot parse %s (run from the source root)", POLICY_FILE);
        root = xmlDocGetRootElement(doc);
        assert_string_equal((const char *) root->name, "policyconfig");
        for (xmlNodePtr c = root->children; c; c = c->next) {
                xmlChar *id;

                if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "action"))
                        continue;
                id = xmlGetProp(c, BAD_CAST "id");
                assert_non_null(id);
                ids = realloc(ids, (n + 1) * sizeof(char *));
                assert_non_null(ids);
                ids[n++] = strdup((const char *) id);
                xmlFree(id);
        }
        xmlFreeDoc(doc);
        *ret = ids;
        return n;
}

static bool in_policy(char **ids, size_t n, const char *id) {
        for (size_t i = 0; i < n; i++)
                if (streq(ids[i], id))
                        return true;
        return false;
}

static void check_entry_actions(const VbAcl *a, char **ids, size_t n_ids) {
        const char *perms[] = { a->perm, a->perm2, a->flag_perm,
                                a->secure_flag ? "read-secure" : NULL };

        for (size_t i = 0; i < ELEMENTSOF(perms); i++) {
                _cleanup_free_ char *id = NULL;

                if (!perms[i])
                        continue;
                id = vb_acl_action_id(a->object, perms[i]);
                if (!in_policy(ids, n_ids, id))
                        fail_msg("%s.%s: action %s missing from policy", a->interface,
                                 a->member, id);
        }
        if (a->filter_perm) {
                _cleanup_free_ char *id = vb_acl_action_id(a->filter_object, a->filter_perm);

                if (!in_policy(ids, n_ids, id))
                        fail_msg("%s.%s: filter action %s missing", a->interface, a->member, id);
        }
}

static void test_actions_in_policy(void **state) {
        char **ids;
        size_t n_ids = policy_actions(&ids), n;
        const VbAcl *t;

        assert_int_equal(n_ids, 105);
        t = vb_acl_table(&n);
        for (size_t i = 0; i < n; i++)
                check_entry_actions(&t[i], ids, n_ids);
        t = vb_acl_property_table(&n);
        assert_true(n > 30);
        for (size_t i = 0; i < n; i++)
                check_entry_actions(&t[i], ids, n_ids);
        for (size_t i = 0; i < n_ids; i++)
                free(ids[i]);
        free(ids);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_method_has_entry),
                cmocka_unit_test(test_no_duplicates),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_known_mappings),
                cmocka_unit_test(test_action_id),
                cmocka_unit_test(test_properties),
                cmocka_unit_test(test_actions_in_policy),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
