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

#include <cmocka.h>

#include "network.h"
#include "nodedev.h"
#include "secret.h"
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

static const Kind kinds[] = {
        { "network", "network", rt_network },
        { "pool", "pool", rt_pool },
        { "vol", "volume", rt_vol },
        { "nodedev", "device", rt_nodedev },
        { "secret", "secret", rt_secret },
};

static char *read_file(const char *path) {
        FILE *f = fopen(path, "re");
        char *buf = NULL;
        size_t n = 0;
        if (!f)
                return NULL;
        if (getdelim(&buf, &n, 0, f) < 0) {
                free(buf);
                buf = strdup("");
        }
        fclose(f);
        return buf;
}

static void write_file(const char *path, const char *data) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(data, f);
        fclose(f);
}

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
        _cleanup_free_ char *in = read_file(in_path), *want_err = read_file(err_path);
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
        want = read_file(out_path);
        if (getenv("VB_TEST_REGENERATE") && (want || !streq(got, in))) {
                write_file(out_path, got);
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
        _cleanup_free_ char *xml = read_file(path);
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

/* ---- main ---- */

#define KIND_TEST(i) cmocka_unit_test_prestate(test_xml2xml, (void *) &kinds[i])

int main(void) {
        const struct CMUnitTest tests[] = {
                KIND_TEST(0),
                KIND_TEST(1),
                KIND_TEST(2),
                KIND_TEST(3),
                KIND_TEST(4),
                cmocka_unit_test(test_network_fields),
                cmocka_unit_test(test_network_update_host_add),
                cmocka_unit_test(test_network_update_host_errors),
                cmocka_unit_test(test_network_update_host_modify_delete),
                cmocka_unit_test(test_network_update_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
