/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Data-driven xml2xml tests for the non-domain models, plus failure cases and
 * virNetworkUpdate semantics. tests/data/<kind>-xml2xml/NAME.xml is parsed and
 * formatted; the result must equal NAME.out.xml (or NAME.xml itself when there is
 * no .out.xml). NAME.err holds a substring of the expected error message.
 * VB_TEST_REGENERATE=1 rewrites the .out.xml files. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "data-test.h"
#include "iface.h"
#include "network.h"
#include "nodedev.h"
#include "nwfilter.h"
#include "secret.h"
#include "snapshot.h"
#include "storage.h"
#include "xml-keep.h"
#include "xml-util.h"

#define DATADIR "tests/data/"

typedef struct Kind {
        const char *name;       /* tests/data/<name>-xml2xml */
        const char *root;
        /* parse, copy, format both; the copy's output must equal the original's */
        int (*roundtrip)(const char *in, char **out, VbError *e);
} Kind;

#define DEFINE_ROUNDTRIP(fn, Type, parse, format, copy, freef)                  \
        static int fn(const char *in, char **out, VbError *e) {                 \
                Type *d = NULL, *c;                                              \
                char *o1, *o2;                                                   \
                int r = parse(in, 0, &d, e);                                     \
                if (r < 0)                                                       \
                        return r;                                                \
                c = copy(d);                                                     \
                o1 = format(d, 0);                                               \
                o2 = format(c, 0);                                               \
                assert_string_equal(o1, o2);                                     \
                free(o2);                                                        \
                freef(c);                                                        \
                freef(d);                                                        \
                *out = o1;                                                       \
                return 0;                                                        \
        }

DEFINE_ROUNDTRIP(rt_network, VbNetworkDef, vb_network_def_parse, vb_network_def_format,
                 vb_network_def_copy, vb_network_def_free)

DEFINE_ROUNDTRIP(rt_pool, VbStoragePoolDef, vb_pool_def_parse, vb_pool_def_format,
                 vb_pool_def_copy, vb_pool_def_free)
DEFINE_ROUNDTRIP(rt_vol, VbStorageVolDef, vb_vol_def_parse, vb_vol_def_format,
                 vb_vol_def_copy, vb_vol_def_free)
DEFINE_ROUNDTRIP(rt_nodedev, VbNodeDeviceDef, vb_node_device_def_parse, vb_node_device_def_format,
                 vb_node_device_def_copy, vb_node_device_def_free)
DEFINE_ROUNDTRIP(rt_secret, VbSecretDef, vb_secret_def_parse, vb_secret_def_format,
                 vb_secret_def_copy, vb_secret_def_free)
DEFINE_ROUNDTRIP(rt_iface, VbInterfaceDef, vb_iface_def_parse, vb_iface_def_format,
                 vb_iface_def_copy, vb_iface_def_free)
DEFINE_ROUNDTRIP(rt_nwfilter, VbNWFilterDef, vb_nwfilter_def_parse, vb_nwfilter_def_format,
                 vb_nwfilter_def_copy, vb_nwfilter_def_free)

#define PINNED_CREATION_TIME 1234567890LL

/* Snapshots carrying a <creationTime> are parsed as redefinitions (everything kept).
 * New ones get the current time and the domain's state from the driver: both are
 * pinned here, as the test driver would set them for its running domain. */
static int rt_snapshot(const char *in, char **out, VbError *e) {
        bool redefine = strstr(in, "<creationTime>") != NULL;
        VbSnapshotDef *d = NULL, *c;
        char *o2;
        int r = vb_snapshot_def_parse(in, redefine ? VB_SNAPSHOT_PARSE_REDEFINE : 0, &d, e);
        if (r < 0)
                return r;
        if (!redefine) {
                assert_true(d->creation_time >= (long long) time(NULL) - 5);
                assert_null(d->state);
                d->creation_time = PINNED_CREATION_TIME;
                d->state = strdup("running");
        }
        c = vb_snapshot_def_copy(d);
        *out = vb_snapshot_def_format(d, 0);
        o2 = vb_snapshot_def_format(c, 0);
        assert_string_equal(*out, o2);
        free(o2);
        vb_snapshot_def_free(c);
        vb_snapshot_def_free(d);
        return 0;
}

static const Kind kinds[] = {
        { "network", "network", rt_network },
        { "pool", "pool", rt_pool },
        { "vol", "volume", rt_vol },
        { "nodedev", "device", rt_nodedev },
        { "secret", "secret", rt_secret },
        { "iface", "interface", rt_iface },
        { "nwfilter", "filter", rt_nwfilter },
        { "snapshot", "domainsnapshot", rt_snapshot },
};

static bool has_suffix(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

/* One input file: returns true when it behaved as expected. */
static bool run_case(const Kind *k, const char *dir, const char *file) {
        _cleanup_free_ char *base = strndup(file, strlen(file) - 4);
        _cleanup_free_ char *in_path = vb_strdupf("%s/%s", dir, file);
        _cleanup_free_ char *err_path = vb_strdupf("%s/%s.err", dir, base);
        _cleanup_free_ char *out_path = vb_strdupf("%s/%s.out.xml", dir, base);
        _cleanup_free_ char *in = vb_data_read_path(in_path), *want_err = vb_data_read_path(err_path);
        _cleanup_free_ char *want = NULL, *got = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        int r;

        assert_non_null(in);
        r = k->roundtrip(in, &got, &e);
        if (want_err) {
                vb_strstrip(want_err);
                if (r >= 0 || !e.message || !strstr(e.message, want_err)) {
                        fprintf(stderr, "FAIL %s: expected error containing '%s', got r=%d '%s'\n",
                                in_path, want_err, r, strempty(e.message));
                        return false;
                }
                return true;
        }
        if (r < 0) {
                fprintf(stderr, "FAIL %s: %s\n", in_path, strempty(e.message));
                return false;
        }
        want = vb_data_read_path(out_path);
        if (getenv("VB_TEST_REGENERATE") && (want || !streq(got, in))) {
                vb_data_write_path(out_path, got);
                return true;
        }
        if (!want)
                want = strdup(in);
        if (!streq(want, got)) {
                fprintf(stderr, "FAIL %s:\n--- expected\n%s--- got\n%s---\n", in_path, want, got);
                return false;
        }
        /* the output is canonical: it must round-trip onto itself */
        free(want);
        want = TAKE_PTR(got);
        vb_error_clear(&e);
        r = k->roundtrip(want, &got, &e);
        if (r < 0 || !streq(want, got)) {
                fprintf(stderr, "FAIL %s: output does not round-trip (%s)\n", in_path, strempty(e.message));
                return false;
        }
        return true;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void run_kind(const Kind *k) {
        _cleanup_free_ char *dir = vb_strdupf(DATADIR "%s-xml2xml", k->name);
        char **files = NULL;
        size_t n = 0, failed = 0, n_ok = 0, n_err = 0;
        DIR *d = opendir(dir);
        struct dirent *de;

        assert_non_null(d);
        while ((de = readdir(d))) {
                if (!has_suffix(de->d_name, ".xml") || has_suffix(de->d_name, ".out.xml"))
                        continue;
                files = realloc(files, (n + 1) * sizeof(char *));
                files[n++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(files, n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n; i++) {
                if (!run_case(k, dir, files[i]))
                        failed++;
                else if (strncmp(files[i], "err-", 4) == 0)
                        n_err++;
                else
                        n_ok++;
                free(files[i]);
        }
        free(files);
        fprintf(stderr, "%s: %zu round trips, %zu expected failures, %zu FAILED\n",
                k->name, n_ok, n_err, failed);
        assert_true(n_ok > 0);
        assert_true(n_err > 0);
        assert_int_equal(failed, 0);
}

/* Failures every kind must report the same way. */
static void run_kind_common_failures(const Kind *k) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        char *out = NULL;
        size_t big = VB_XML_MAX_SIZE + 16;
        _cleanup_free_ char *huge = malloc(big + 1);
        _cleanup_free_ char *wrong = vb_strdupf("<%s><name>x</name></%s>",
                                                streq(k->root, "pool") ? "volume" : "pool",
                                                streq(k->root, "pool") ? "volume" : "pool");

        /* too big */
        assert_non_null(huge);
        memset(huge, ' ', big);
        memcpy(huge, "<x>", 3);
        huge[big] = 0;
        assert_true(k->roundtrip(huge, &out, &e) < 0);
        assert_non_null(strstr(e.message, "document too large"));
        /* wrong root */
        assert_true(k->roundtrip(wrong, &out, &e) < 0);
        assert_non_null(strstr(e.message, "unexpected root element"));
        /* empty */
        assert_int_equal(k->roundtrip("", &out, &e), -EINVAL);
        assert_int_equal(e.code, VB_ERR_XML_ERROR);
        /* entity expansion */
        assert_true(k->roundtrip("<!DOCTYPE a [<!ENTITY b 'c'>]><a/>", &out, &e) < 0);
        assert_non_null(strstr(e.message, "DTDs and entities are not allowed"));
        assert_null(out);
}

static void test_xml2xml(void **state) {
        const Kind *k = *state;
        run_kind(k);
        run_kind_common_failures(k);
}

/* ---- network update ---- */

static VbNetworkDef *load_network(const char *file) {
        _cleanup_free_ char *path = vb_strdupf(DATADIR "network-xml2xml/%s", file);
        _cleanup_free_ char *xml = vb_data_read_path(path);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNetworkDef *def = NULL;
        assert_non_null(xml);
        assert_int_equal(vb_network_def_parse(xml, 0, &def, &e), 0);
        return def;
}

#define HOST_FOO "<host mac='00:16:3e:77:e2:ed' name='foo.example.com' ip='192.168.122.10'/>"

static void assert_update_fails(VbNetworkDef *def, unsigned cmd, unsigned section, int parent,
                                const char *xml, VbErrorCode code, const char *msg) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *before = vb_network_def_format(def, 0), *after = NULL;
        assert_true(vb_network_def_update(def, cmd, section, parent, xml, 0, &e) < 0);
        if (!strstr(strempty(e.message), msg))
                fail_msg("expected '%s', got '%s'", msg, strempty(e.message));
        assert_int_equal(e.code, code);
        after = vb_network_def_format(def, 0);
        assert_string_equal(before, after);
}

static void test_network_update_host_add(void **state) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = load_network("default.xml");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *out = NULL;
        const char *p1, *p2, *p3;

        /* exactly what the libvirt-dbus suite sends: ADD_FIRST(4), IP_DHCP_HOST(4), index 0 */
        assert_int_equal(vb_network_def_update(def, 4, 4, 0, HOST_FOO, 0, &e), 0);
        out = vb_network_def_format(def, 0);
        assert_non_null(strstr(out, "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
                                    "      " HOST_FOO "\n    </dhcp>"));
        free(out);
        /* ADD_FIRST puts it before, ADD_LAST after; attributes are normalised */
        assert_int_equal(vb_network_def_update(def, VB_NET_UPDATE_COMMAND_ADD_FIRST, VB_NET_SECTION_IP_DHCP_HOST, -1,
                                               "<host mac='00:16:3E:00:00:01' name='first' ip='192.168.122.11'/>", 0, &e), 0);
        assert_int_equal(vb_network_def_update(def, VB_NET_UPDATE_COMMAND_ADD_LAST, VB_NET_SECTION_IP_DHCP_HOST, 0,
                                               "<host name='last' ip='192.168.122.12'/>", 0, &e), 0);
        out = vb_network_def_format(def, 0);
        p1 = strstr(out, "<host mac='00:16:3e:00:00:01' name='first' ip='192.168.122.11'/>");
        p2 = strstr(out, HOST_FOO);
        p3 = strstr(out, "<host name='last' ip='192.168.122.12'/>");
        assert_non_null(p1);
        assert_non_null(p2);
        assert_non_null(p3);
        assert_true(p1 < p2 && p2 < p3);
        assert_int_equal(def->ips[0].n_hosts, 3);
        assert_string_equal(def->ips[0].hosts[1].name, "foo.example.com");
}

static void test_network_update_host_errors(void **state) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = load_network("default.xml");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        assert_int_equal(vb_network_def_update(def, 3, 4, 0, HOST_FOO, 0, &e), 0);
        /* duplicates by mac, by name, by ip */
        assert_update_fails(def, 3, 4, 0, "<host mac='00:16:3e:77:e2:ed' name='x' ip='192.168.122.99'/>",
                            VB_ERR_OPERATION_INVALID,
                            "there is an existing dhcp host entry in network 'default' that matches \"" HOST_FOO "\"");
        assert_update_fails(def, 4, 4, 0, "<host mac='00:16:3e:77:e2:ee' name='foo.example.com' ip='192.168.122.99'/>",
                            VB_ERR_OPERATION_INVALID, "there is an existing dhcp host entry");
        assert_update_fails(def, 4, 4, 0, "<host mac='00:16:3e:77:e2:ee' name='y' ip='192.168.122.10'/>",
                            VB_ERR_OPERATION_INVALID, "there is an existing dhcp host entry");
        /* unsupported section, unknown command / section, flags */
        assert_update_fails(def, 4, VB_NET_SECTION_DNS_HOST, 0, "<host ip='192.168.122.2'><hostname>a</hostname></host>",
                            VB_ERR_NO_SUPPORT, "can't update 'dns-host' section of network 'default'");
        assert_update_fails(def, 4, VB_NET_SECTION_BRIDGE, 0, "<bridge name='x'/>",
                            VB_ERR_NO_SUPPORT, "can't update 'bridge' section of network 'default'");
        assert_update_fails(def, 7, 4, 0, HOST_FOO, VB_ERR_NO_SUPPORT, "unrecognized network update command code 7");
        assert_update_fails(def, 4, 99, 0, HOST_FOO, VB_ERR_NO_SUPPORT, "can't update unrecognized section of network");
        assert_true(vb_network_def_update(def, 4, 4, 0, HOST_FOO, 0x100, &e) < 0);
        /* wrong element, bad index, bad contents */
        assert_update_fails(def, 4, 4, 0, "<range start='192.168.122.2' end='192.168.122.3'/>", VB_ERR_XML_ERROR,
                            "unexpected element <range>, expecting <host>, while updating network 'default'");
        assert_update_fails(def, 4, 4, 3, HOST_FOO, VB_ERR_OPERATION_INVALID,
                            "no <ip> element found at index 3 in network 'default'");
        assert_update_fails(def, 4, 4, 0, "<host mac='00:16:3e:77:e2' ip='192.168.122.9'/>", VB_ERR_XML_ERROR,
                            "Cannot parse MAC address '00:16:3e:77:e2' in network 'default'");
        assert_update_fails(def, 4, 4, 0, "<host mac='00:16:3e:77:e2:01'/>", VB_ERR_XML_ERROR,
                            "Missing IP address in static host definition for network 'default'");
        assert_update_fails(def, 4, 4, 0, "<host mac='00:16:3e:77:e2:01'", VB_ERR_XML_DETAIL, "XML error");
        /* delete / modify of something that is not there */
        assert_update_fails(def, 2, 4, 0, "<host mac='00:16:3e:00:00:99'/>", VB_ERR_OPERATION_INVALID,
                            "couldn't locate a matching dhcp host entry in network 'default'");
        assert_update_fails(def, 1, 4, 0, "<host mac='00:16:3e:00:00:99' ip='192.168.122.50'/>", VB_ERR_OPERATION_INVALID,
                            "couldn't locate an existing dhcp host entry with \"mac='00:16:3e:00:00:99'\" in network 'default'");
        assert_int_equal(def->ips[0].n_hosts, 1);
}

static void test_network_update_host_modify_delete(void **state) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = load_network("default.xml");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *out = NULL;

        assert_int_equal(vb_network_def_update(def, 3, 4, 0, HOST_FOO, 0, &e), 0);
        assert_int_equal(vb_network_def_update(def, 3, 4, 0, "<host mac='00:16:3e:00:00:02' name='two' ip='192.168.122.20'/>", 0, &e), 0);
        assert_int_equal(vb_network_def_update(def, VB_NET_UPDATE_COMMAND_MODIFY, 4, 0,
                                               "<host mac='00:16:3E:77:E2:ED' name='bar.example.com' ip='192.168.122.30'/>", 0, &e), 0);
        out = vb_network_def_format(def, 0);
        assert_non_null(strstr(out, "<host mac='00:16:3e:77:e2:ed' name='bar.example.com' ip='192.168.122.30'/>"));
        assert_null(strstr(out, "foo.example.com"));
        free(out);
        /* delete by any subset of attributes */
        assert_int_equal(vb_network_def_update(def, VB_NET_UPDATE_COMMAND_DELETE, 4, 0, "<host name='two'/>", 0, &e), 0);
        assert_int_equal(def->ips[0].n_hosts, 1);
        assert_int_equal(vb_network_def_update(def, VB_NET_UPDATE_COMMAND_DELETE, 4, -1,
                                               "<host mac='00:16:3e:77:e2:ed'/>", 0, &e), 0);
        assert_int_equal(def->ips[0].n_hosts, 0);
        out = vb_network_def_format(def, 0);
        assert_null(strstr(out, "<host"));
        assert_non_null(strstr(out, "<range start='192.168.122.2' end='192.168.122.254'/>"));
}

static void test_network_update_range(void **state) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = load_network("default.xml");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *out = NULL;
        const char *r1, *r2;

        assert_update_fails(def, 4, 5, 0, "<range start='192.168.122.2' end='192.168.122.254'/>", VB_ERR_OPERATION_INVALID,
                            "there is an existing dhcp range entry in network 'default' that matches \"<range start='192.168.122.2' end='192.168.122.254'/>\"");
        assert_update_fails(def, 1, 5, 0, "<range start='192.168.122.2' end='192.168.122.254'/>", VB_ERR_NO_SUPPORT,
                            "dhcp ranges cannot be modified, only added or deleted");
        assert_update_fails(def, 3, 5, 0, "<range start='10.0.0.2' end='10.0.0.3'/>", VB_ERR_XML_ERROR,
                            "is not entirely within network 192.168.122.1/24");
        assert_update_fails(def, 2, 5, 0, "<range start='192.168.122.2' end='192.168.122.3'/>", VB_ERR_OPERATION_INVALID,
                            "couldn't locate a matching dhcp range entry \"<range start='192.168.122.2' end='192.168.122.3'/>\" in network 'default'");
        assert_int_equal(vb_network_def_update(def, 4, 5, 0, "<range start='192.168.122.1' end='192.168.122.1'/>", 0, &e), 0);
        out = vb_network_def_format(def, 0);
        r1 = strstr(out, "<range start='192.168.122.1' end='192.168.122.1'/>");
        r2 = strstr(out, "<range start='192.168.122.2' end='192.168.122.254'/>");
        assert_true(r1 && r2 && r1 < r2);
        assert_int_equal(vb_network_def_update(def, 2, 5, 0, "<range start='192.168.122.2' end='192.168.122.254'/>", 0, &e), 0);
        assert_int_equal(def->ips[0].n_ranges, 1);
        assert_string_equal(def->ips[0].ranges[0].start, "192.168.122.1");
}

static void test_network_fields(void **state) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = load_network("bar.xml");
        char uuid[37];
        vb_uuid_format(def->uuid, uuid);
        assert_string_equal(def->name, "bar");
        assert_string_equal(uuid, "004b96e1-2d78-c30f-5aa5-f03c87d21e69");
        assert_string_equal(def->bridge, "brdefault");
        assert_true(def->stp);
        assert_int_equal(def->delay, 0);
        assert_int_equal(def->forward_mode, VB_NET_FORWARD_NAT);
        assert_string_equal(def->forward_dev, "eth0");
        assert_int_equal(def->n_ips, 1);
        assert_string_equal(def->ips[0].address, "192.168.122.1");
        assert_string_equal(def->ips[0].netmask, "255.255.255.0");
        assert_int_equal(def->ips[0].n_ranges, 1);
        assert_string_equal(def->ips[0].ranges[0].end, "192.168.122.253");
}

/* ---- public fields drivers rely on ---- */

static char *data_file(const char *kind, const char *file) {
        _cleanup_free_ char *path = vb_strdupf(DATADIR "%s-xml2xml/%s", kind, file);
        char *xml = vb_data_read_path(path);
        assert_non_null(xml);
        return xml;
}

static void assert_strv(char **got, const char *const *want, size_t n) {
        assert_int_equal(vb_strv_length(got), n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(got[i], want[i]);
}

static void test_nodedev_list_caps(void **state) {
        static const char *const host1[] = { "scsi_host", "fc_host", "vport_ops" };
        static const char *const host11[] = { "scsi_host", "fc_host" };
        static const char *const vf[] = { "pci", "phys_function" };
        static const char *const sys[] = { "system" };
        const struct { const char *file; const char *const *want; size_t n; } cases[] = {
                { "scsi_host1.xml", host1, 3 }, { "scsi_host11.xml", host11, 2 },
                { "pci-sriov.xml", vf, 2 }, { "computer.xml", sys, 1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *xml = data_file("nodedev", cases[i].file);
                _cleanup_(vb_node_device_def_freep) VbNodeDeviceDef *def = NULL;
                _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
                char **caps;
                assert_int_equal(vb_node_device_def_parse(xml, 0, &def, &e), 0);
                caps = vb_node_device_def_list_caps(def);
                assert_strv(caps, cases[i].want, cases[i].n);
                vb_strv_free(caps);
        }
}

static void test_nodedev_fields(void **state) {
        _cleanup_free_ char *xml = data_file("nodedev", "scsi_host1.xml");
        _cleanup_(vb_node_device_def_freep) VbNodeDeviceDef *def = NULL, *created = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbNodeDevCap *cap;

        assert_int_equal(vb_node_device_def_parse(xml, 0, &def, &e), 0);
        assert_string_equal(def->name, "scsi_host1");
        assert_string_equal(def->parent, "computer");
        cap = vb_node_device_def_find_cap(def, "scsi_host");
        assert_non_null(cap);
        assert_int_equal(cap->scsi_host.host, 1);
        assert_int_equal(cap->scsi_host.unique_id, 0);
        assert_string_equal(cap->scsi_host.wwnn, "2000000012341234");
        assert_string_equal(cap->scsi_host.fabric_wwn, "2000000043214321");
        assert_int_equal(cap->scsi_host.max_vports, 127);
        assert_int_equal(cap->scsi_host.vports, 1);
        assert_null(vb_node_device_def_find_cap(def, "pci"));
        /* NodeDeviceCreateXML input: name and host id may be left out */
        assert_true(vb_node_device_def_parse("<device><parent>scsi_host1</parent><capability type='scsi_host'>"
                                             "<capability type='fc_host'/></capability></device>", 0, &created, &e) < 0);
        assert_int_equal(vb_node_device_def_parse("<device><parent wwnn='2000000012341234' wwpn='1000000012341234'/>"
                                                  "<capability type='scsi_host'><capability type='fc_host'>"
                                                  "<wwnn>0x2000000098765432</wwnn><wwpn>1000000098765432</wwpn>"
                                                  "</capability></capability></device>",
                                                  VB_NODEDEV_PARSE_CREATE, &created, &e), 0);
        assert_null(created->name);
        assert_null(created->parent);
        assert_string_equal(created->parent_wwnn, "2000000012341234");
        assert_string_equal(created->caps[0].scsi_host.wwnn, "2000000098765432");
        assert_false(created->caps[0].scsi_host.has_host);
}

static void test_secret_fields(void **state) {
        static const struct { const char *file; VbSecretUsageType type; const char *id; } cases[] = {
                { "volume.xml", VB_SECRET_USAGE_VOLUME, "/var/lib/libvirt/images/encrypted.img" },
                { "ceph.xml", VB_SECRET_USAGE_CEPH, "CephCluster" },
                { "iscsi.xml", VB_SECRET_USAGE_ISCSI, "libvirtiscsi" },
                { "tls.xml", VB_SECRET_USAGE_TLS, "TLS_example" },
                { "vtpm.xml", VB_SECRET_USAGE_VTPM, "VTPM_example" },
                { "minimal.xml", VB_SECRET_USAGE_NONE, NULL },
        };
        _cleanup_(vb_secret_def_freep) VbSecretDef *gen = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        assert_int_equal(VB_SECRET_USAGE_VTPM, 5);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *xml = data_file("secret", cases[i].file);
                _cleanup_(vb_secret_def_freep) VbSecretDef *def = NULL;
                assert_int_equal(vb_secret_def_parse(xml, 0, &def, &e), 0);
                assert_int_equal(def->usage_type, cases[i].type);
                assert_true(streq_ptr(def->usage_id, cases[i].id));
        }
        assert_int_equal(vb_secret_def_parse("<secret ephemeral='yes' private='yes'/>", 0, &gen, &e), 0);
        assert_true(gen->ephemeral && gen->private_);
        assert_false(vb_uuid_is_null(gen->uuid));
        assert_string_equal(vb_secret_usage_type_to_string(VB_SECRET_USAGE_ISCSI), "iscsi");
        assert_int_equal(vb_secret_usage_type_from_string("tls"), VB_SECRET_USAGE_TLS);
}

static void test_storage_fields(void **state) {
        _cleanup_free_ char *pxml = data_file("pool", "default-pool.xml"), *vxml = data_file("vol", "sparse.img.xml");
        _cleanup_(vb_pool_def_freep) VbStoragePoolDef *pool = NULL;
        _cleanup_(vb_vol_def_freep) VbStorageVolDef *vol = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *out = NULL;

        assert_int_equal(vb_pool_def_parse(pxml, 0, &pool, &e), 0);
        assert_string_equal(pool->type, "dir");
        assert_string_equal(pool->target_path, "/default-pool");
        /* the test driver fills the runtime sizes in */
        pool->capacity = pool->available = 107374182400ULL;
        out = vb_pool_def_format(pool, 0);
        assert_non_null(strstr(out, "  <capacity unit='bytes'>107374182400</capacity>\n"
                                    "  <allocation unit='bytes'>0</allocation>\n"
                                    "  <available unit='bytes'>107374182400</available>\n"));
        free(out);
        assert_int_equal(vb_vol_def_parse(vxml, 0, &vol, &e), 0);
        assert_int_equal(vol->capacity, 2147483648ULL);
        assert_int_equal(vol->allocation, 2147483648ULL);
        assert_false(vol->has_allocation);
        assert_string_equal(vol->type, "file");
        assert_string_equal(vol->target_format, "raw");
        assert_null(vol->key);
        /* the driver sets key = path = <pool target>/<name> */
        vol->key = strdup("/default-pool/sparse.img");
        free(vol->target_path);
        vol->target_path = strdup("/default-pool/sparse.img");
        out = vb_vol_def_format(vol, 0);
        assert_non_null(strstr(out, "  <name>sparse.img</name>\n  <key>/default-pool/sparse.img</key>\n"));
        assert_non_null(strstr(out, "    <path>/default-pool/sparse.img</path>\n"));
}

static void test_iface_fields(void **state) {
        _cleanup_free_ char *xml = data_file("iface", "eth1.xml");
        _cleanup_(vb_iface_def_freep) VbInterfaceDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;

        assert_int_equal(vb_iface_def_parse(xml, 0, &def, &e), 0);
        assert_string_equal(def->type, "ethernet");
        assert_string_equal(def->name, "eth1");
        assert_string_equal(def->start_mode, "onboot");
        assert_string_equal(def->mac, "aa:bb:cc:dd:ee:ff");
        assert_int_equal(def->mtu, 1492);
        assert_int_equal(def->n_protocols, 1);
        assert_string_equal(def->protocols[0].family, "ipv4");
        assert_int_equal(def->protocols[0].n_ips, 1);
        assert_string_equal(def->protocols[0].ips[0].address, "192.168.0.5");
        assert_int_equal(def->protocols[0].ips[0].prefix, 24);
        assert_string_equal(def->protocols[0].gateway, "192.168.0.1");
}

static void test_snapshot_fields(void **state) {
        _cleanup_(vb_snapshot_def_freep) VbSnapshotDef *def = NULL, *internal = NULL, *bad = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *xml = data_file("snapshot", "redefine.xml"), *out = NULL, *expect = NULL;
        char *end;

        /* no name: libvirt names it after the creation time */
        assert_int_equal(vb_snapshot_def_parse("<domainsnapshot><description>d</description></domainsnapshot>",
                                               0, &def, &e), 0);
        assert_true(def->creation_time >= (long long) time(NULL) - 5);
        assert_int_equal(strtoll(def->name, &end, 10), def->creation_time);
        assert_int_equal(*end, 0);
        /* internal format round-trips <active> */
        assert_int_equal(vb_snapshot_def_parse(xml, VB_SNAPSHOT_PARSE_REDEFINE, &internal, &e), 0);
        assert_string_equal(internal->parent, "s1");
        assert_string_equal(internal->state, "running");
        assert_non_null(strstr(internal->domain_xml, "<domain type='test'>\n  <name>test</name>"));
        internal->active = true;
        out = vb_snapshot_def_format(internal, VB_SNAPSHOT_FORMAT_INTERNAL);
        assert_non_null(strstr(out, "  </domain>\n  <active>1</active>\n</domainsnapshot>\n"));
        vb_snapshot_def_free(internal);
        internal = NULL;
        assert_int_equal(vb_snapshot_def_parse(out, VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL,
                                               &internal, &e), 0);
        assert_true(internal->active);
        assert_true(vb_snapshot_def_parse(xml, VB_SNAPSHOT_PARSE_REDEFINE | VB_SNAPSHOT_PARSE_INTERNAL,
                                          &bad, &e) < 0);
        assert_true(vb_snapshot_def_parse(xml, 0x100, &bad, &e) < 0);
        assert_null(bad);
}

/* ---- main ---- */

#define KIND_TEST(i) cmocka_unit_test_prestate(test_xml2xml, (void *) &kinds[i])

int main(void) {
        const struct CMUnitTest tests[] = {
                KIND_TEST(0),
                KIND_TEST(1),
                KIND_TEST(2),
                KIND_TEST(3),
                KIND_TEST(4),
                KIND_TEST(5),
                KIND_TEST(6),
                KIND_TEST(7),
                cmocka_unit_test(test_network_fields),
                cmocka_unit_test(test_network_update_host_add),
                cmocka_unit_test(test_network_update_host_errors),
                cmocka_unit_test(test_network_update_host_modify_delete),
                cmocka_unit_test(test_network_update_range),
                cmocka_unit_test(test_nodedev_list_caps),
                cmocka_unit_test(test_nodedev_fields),
                cmocka_unit_test(test_secret_fields),
                cmocka_unit_test(test_storage_fields),
                cmocka_unit_test(test_iface_fields),
                cmocka_unit_test(test_snapshot_fields),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
