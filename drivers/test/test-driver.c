/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory test driver: reset at every start to libvirt's test:///default state. */
#include <libxml/tree.h>
#include <unistd.h>

#include "test-net.h"
#include "test-private.h"
#include "test-storage.h"
#include "xml-util.h"

static const char seed_domain[] =
        "<domain type='test'>\n"
        "  <name>test</name>\n"
        "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        "  <memory unit='KiB'>8388608</memory>\n"
        "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
        "  <vcpu placement='static'>2</vcpu>\n"
        "  <os>\n"
        "    <type arch='i686'>hvm</type>\n"
        "    <boot dev='hd'/>\n"
        "  </os>\n"
        "  <clock offset='utc'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <source file='/guest/diskimage1'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
        "    </disk>\n"
        "    <interface type='network'>\n"
        "      <mac address='aa:bb:cc:dd:ee:ff'/>\n"
        "      <source network='default'/>\n"
        "      <target dev='testnet0'/>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/>\n"
        "    </interface>\n"
        "    <memballoon model='virtio'>\n"
        "      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n"
        "    </memballoon>\n"
        "  </devices>\n"
        "</domain>\n";

static const char capabilities[] =
        "<capabilities>\n"
        "\n"
        "  <host>\n"
        "    <cpu>\n"
        "      <arch>i686</arch>\n"
        "      <features>\n"
        "        <pae/>\n"
        "        <nonpae/>\n"
        "      </features>\n"
        "    </cpu>\n"
        "    <power_management/>\n"
        "    <iommu support='no'/>\n"
        "    <topology>\n"
        "      <cells num='2'>\n"
        "        <cell id='0'>\n"
        "          <memory unit='KiB'>2097152</memory>\n"
        "          <pages unit='KiB' size='4'>524288</pages>\n"
        "          <pages unit='KiB' size='2048'>0</pages>\n"
        "          <pages unit='KiB' size='1048576'>0</pages>\n"
        "          <cpus num='8'>\n"
        "            <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0'/>\n"
        "            <cpu id='1' socket_id='0' die_id='0' core_id='0' siblings='1'/>\n"
        "            <cpu id='2' socket_id='0' die_id='0' core_id='1' siblings='2'/>\n"
        "            <cpu id='3' socket_id='0' die_id='0' core_id='1' siblings='3'/>\n"
        "            <cpu id='4' socket_id='0' die_id='0' core_id='2' siblings='4'/>\n"
        "            <cpu id='5' socket_id='0' die_id='0' core_id='2' siblings='5'/>\n"
        "            <cpu id='6' socket_id='0' die_id='0' core_id='3' siblings='6'/>\n"
        "            <cpu id='7' socket_id='0' die_id='0' core_id='3' siblings='7'/>\n"
        "          </cpus>\n"
        "        </cell>\n"
        "        <cell id='1'>\n"
        "          <memory unit='KiB'>4194304</memory>\n"
        "          <pages unit='KiB' size='8'>524288</pages>\n"
        "          <pages unit='KiB' size='2048'>0</pages>\n"
        "          <pages unit='KiB' size='1048576'>0</pages>\n"
        "          <cpus num='8'>\n"
        "            <cpu id='8' socket_id='1' die_id='0' core_id='4' siblings='8'/>\n"
        "            <cpu id='9' socket_id='1' die_id='0' core_id='4' siblings='9'/>\n"
        "            <cpu id='10' socket_id='1' die_id='0' core_id='5' siblings='10'/>\n"
        "            <cpu id='11' socket_id='1' die_id='0' core_id='5' siblings='11'/>\n"
        "            <cpu id='12' socket_id='1' die_id='0' core_id='6' siblings='12'/>\n"
        "            <cpu id='13' socket_id='1' die_id='0' core_id='6' siblings='13'/>\n"
        "            <cpu id='14' socket_id='1' die_id='0' core_id='7' siblings='14'/>\n"
        "            <cpu id='15' socket_id='1' die_id='0' core_id='7' siblings='15'/>\n"
        "          </cpus>\n"
        "        </cell>\n"
        "      </cells>\n"
        "    </topology>\n"
        "    <secmodel>\n"
        "      <model>testSecurity</model>\n"
        "      <doi></doi>\n"
        "    </secmodel>\n"
        "  </host>\n"
        "\n"
        "  <guest>\n"
        "    <os_type>hvm</os_type>\n"
        "    <arch name='i686'>\n"
        "      <wordsize>32</wordsize>\n"
        "      <emulator>/usr/bin/test-hv</emulator>\n"
        "      <domain type='test'/>\n"
        "    </arch>\n"
        "    <features>\n"
        "      <pae/>\n"
        "      <nonpae/>\n"
        "    </features>\n"
        "  </guest>\n"
        "\n"
        "  <guest>\n"
        "    <os_type>xen</os_type>\n"
        "    <arch name='i686'>\n"
        "      <wordsize>32</wordsize>\n"
        "      <emulator>/usr/bin/test-hv</emulator>\n"
        "      <domain type='test'/>\n"
        "    </arch>\n"
        "  </guest>\n"
        "\n"
        "</capabilities>\n";

static const char sysinfo[] =
        "<sysinfo type='smbios'>\n"
        "  <bios>\n"
        "    <entry name='vendor'>LENOVO</entry>\n"
        "    <entry name='version'>G4ETA1WW (2.61 )</entry>\n"
        "    <entry name='date'>05/07/2014</entry>\n"
        "    <entry name='release'>2.61</entry>\n"
        "  </bios>\n"
        "  <system>\n"
        "    <entry name='manufacturer'>LENOVO</entry>\n"
        "    <entry name='product'>20ARS0MM00</entry>\n"
        "    <entry name='version'>ThinkPad T440p</entry>\n"
        "    <entry name='serial'>ABCDEFGH</entry>\n"
        "    <entry name='uuid'>9d3dc5a0-48c6-11cb-b4b1-ae41e4d5cb39</entry>\n"
        "    <entry name='sku'>LENOVO_MT_20AR_BU_Think_FM_ThinkPad T440p</entry>\n"
        "    <entry name='family'>ThinkPad T440p</entry>\n"
        "  </system>\n"
        "</sysinfo>\n";

static int seed(VbConnect *c, VbError *e) {
        VbDomainDef *def = NULL;
        VbDomainObj *d;
        int r;

        r = vb_domain_def_parse(seed_domain, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_domain_obj_new(c, def, &d);
        if (r < 0) {
                vb_domain_def_free(def);
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        }
        d->persistent = true;
        d->id = c->next_id++;
        d->state = VB_DOMAIN_RUNNING;
        d->reason = 0;   /* "unknown", as libvirt's default state reports */
        /* StoragePool, StorageVol, NodeDevice */
        r = vb_test_storage_seed(c, e);
        if (r < 0)
                return r;
        r = vb_test_nodedev_seed(c, e);
        if (r < 0)
                return r;
        return 0;
}

static int test_open(VbConnect *c, const char *root, VbError *e) {
        int r = seed(c, e);
        /* networks, interfaces, secrets, nwfilters (helper-F kinds) */
        if (r >= 0)
                r = vb_test_network_seed(c, e);
        if (r >= 0)
                r = vb_test_iface_seed(c, e);
        return r;
}

/* Every object is freed with the connection. */
static void test_close(VbConnect *c) {
        vb_test_close(c);          /* snapshots and per-domain test state */
        vb_net_registry_free(c);   /* networks, interfaces, secrets, nwfilters */
        vb_test_storage_close(c);  /* volume contents */
        vb_storage_registry_clear(c);
}

static int test_get_capabilities(VbConnect *c, char **ret, VbError *e) {
        *ret = vb_strdup(capabilities);
        return 0;
}

static int test_get_sysinfo(VbConnect *c, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, 0, e);
        *ret = vb_strdup(sysinfo);
        return 0;
}

static int test_get_version(VbConnect *c, uint64_t *ret, VbError *e) {
        *ret = 2;   /* "TEST 0.0.2" */
        return 0;
}

static int test_node_get_info(VbConnect *c, VbNodeInfo *ret, VbError *e) {
        *ret = (VbNodeInfo) {
                .model = "i686", .memory_kib = 3145728, .cpus = 16, .mhz = 1400,
                .nodes = 2, .sockets = 2, .cores = 2, .threads = 2,
        };
        return 0;
}

static const char *const cpu_models[] = {
        "486", "pentium", "pentium2", "pentium3", "pentiumpro", "coreduo", "n270", "core2duo",
        "qemu32", "kvm32", "cpu64-rhel5", "cpu64-rhel6", "qemu64", "kvm64", "Conroe", "Penryn",
        "Nehalem", "Westmere", "SandyBridge", "IvyBridge", "Haswell", "Broadwell", "Skylake-Client",
        "Skylake-Server", "Cascadelake-Server", "Icelake-Server", "athlon", "phenom", "Opteron_G1",
        "Opteron_G2", "Opteron_G3", "Opteron_G4", "Opteron_G5", "EPYC",
};

static int test_get_cpu_model_names(VbConnect *c, const char *arch, unsigned flags, char ***ret, VbError *e) {
        char **l;
        size_t n = 0;

        VB_CHECK_FLAGS(flags, 0, e);
        if (!streq(arch, "x86_64") && !streq(arch, "i686"))
                return vb_error_set(e, VB_ERR_INVALID_ARG, "cannot find architecture %s", arch);
        l = calloc(ELEMENTSOF(cpu_models) + 1, sizeof(char *));
        if (!l)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        for (size_t i = 0; i < ELEMENTSOF(cpu_models); i++)
                l[n++] = vb_strdup(cpu_models[i]);
        *ret = l;
        return 0;
}

/* The baseline of CPUs of the same model: that model with the features all share. */
static int test_baseline_cpu(VbConnect *c, const char *const *cpus, unsigned flags, char **ret, VbError *e) {
        _cleanup_vb_buf_ VbBuf b = { 0 };
        _cleanup_free_ char *model = NULL, *vendor = NULL;
        xmlDocPtr doc = NULL;
        int r;

        VB_CHECK_FLAGS(flags, 1 /* EXPAND_FEATURES */ | 2 /* MIGRATABLE */, e);
        if (!cpus || !cpus[0])
                return vb_error_set(e, VB_ERR_INVALID_ARG, "nothing to baseline");
        r = vb_xml_parse(cpus[0], "cpu", &doc, e);
        if (r < 0)
                return r;
        model = vb_xml_content(vb_xml_child(xmlDocGetRootElement(doc), "model"));
        vendor = vb_xml_content(vb_xml_child(xmlDocGetRootElement(doc), "vendor"));
        xmlFreeDoc(doc);
        if (!model)
                return vb_error_set(e, VB_ERR_OPERATION_FAILED, "no CPU model specified");
        for (size_t i = 1; cpus[i]; i++) {
                _cleanup_free_ char *m = NULL;
                r = vb_xml_parse(cpus[i], "cpu", &doc, e);
                if (r < 0)
                        return r;
                m = vb_xml_content(vb_xml_child(xmlDocGetRootElement(doc), "model"));
                xmlFreeDoc(doc);
                if (!streq_ptr(m, model))
                        return vb_error_set(e, VB_ERR_OPERATION_FAILED,
                                            "CPUs are incompatible: '%s' and '%s'", model, strempty(m));
        }
        vb_buf_line(&b, "<cpu mode='custom' match='exact'>");
        vb_buf_indent(&b, 2);
        vb_buf_line(&b, "<model fallback='forbid'>%s</model>", model);
        vb_buf_elem(&b, "vendor", vendor);
        vb_buf_indent(&b, -2);
        vb_buf_line(&b, "</cpu>");
        *ret = vb_buf_steal(&b);
        return 0;
}

static int test_node_get_cpu_map(VbConnect *c, unsigned flags, bool **ret, size_t *ret_n, VbError *e) {
        static const bool online[8] = { 1, 0, 1, 0, 1, 0, 0, 0 };
        bool *m;

        VB_CHECK_FLAGS(flags, 0, e);
        m = malloc(sizeof(online));
        if (!m)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        memcpy(m, online, sizeof(online));
        *ret = m;
        *ret_n = ELEMENTSOF(online);
        return 0;
}

static int test_node_get_cpu_stats(VbConnect *c, int cpu, unsigned flags, VbNodeStat **ret, VbError *e) {
        static const VbNodeStat stats[] = {
                { "user", 9797400000ULL }, { "kernel", 34678723400000ULL },
                { "idle", 87264900000ULL }, { "iowait", 763600000ULL }, { NULL, 0 },
        };
        VbNodeStat *s;

        VB_CHECK_FLAGS(flags, 0, e);
        if (cpu < -1 || cpu >= 16)
                return vb_error_set(e, VB_ERR_INVALID_ARG, "Invalid cpuNum %d", cpu);
        s = malloc(sizeof(stats));
        if (!s)
                return vb_error_set(e, VB_ERR_NO_MEMORY, NULL);
        memcpy(s, stats, sizeof(stats));
        *ret = s;
        return 0;
}

static int test_node_get_free_memory(VbConnect *c, uint64_t *ret, VbError *e) {
        *ret = 3145728;
        return 0;
}

static int test_node_get_security_model(VbConnect *c, char **ret_model, char **ret_doi, VbError *e) {
        *ret_model = vb_strdup("testSecurity");
        *ret_doi = vb_strdup("");
        return 0;
}

const VbConnectOps vb_test_connect_ops = {
        .get_cpu_model_names = test_get_cpu_model_names,
        .baseline_cpu = test_baseline_cpu,
        .node_get_cpu_map = test_node_get_cpu_map,
        .node_get_cpu_stats = test_node_get_cpu_stats,
        .node_get_free_memory = test_node_get_free_memory,
        .node_get_security_model = test_node_get_security_model,
        .get_capabilities = test_get_capabilities,
        .get_sysinfo = test_get_sysinfo,
        .get_version = test_get_version,
        .node_get_info = test_node_get_info,
};

const VbDriver vb_test_driver = {
        .name = "Test",
        .open = test_open,
        .close = test_close,
        .domain_obj_free = vb_test_snapshots_free,
        .connect = &vb_test_connect_ops,
        .domain = &vb_test_domain_ops,
        .storage = &vb_test_storage_ops,
        .nodedev = &vb_test_nodedev_ops,
        /* helper-F kinds */
        .network = &vb_test_network_ops,
        .iface = &vb_test_iface_ops,
        .secret = &vb_test_secret_ops,
        .nwfilter = &vb_test_nwfilter_ops,
        .snapshot = &vb_test_snapshot_ops,   /* helper-H */
};
