/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure half of the network driver, data-driven: tests/data/network-dnsmasq/NAME.xml
 * gives NAME.conf (dnsmasq's configuration, when the network runs dnsmasq) and NAME.nft
 * (the nft -f input, when it has a table), or NAME.err (a substring of the refusal).
 * VB_TEST_REGENERATE=1 rewrites .conf and .nft. Plus subnet arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <dirent.h>
#include <cmocka.h>

#include "network/net-conf.h"
#include "xml-util.h"

#define DATADIR "tests/data/network-dnsmasq/"

static char *read_file(const char *name, const char *suffix) {
        _cleanup_free_ char *path = vb_strdupf(DATADIR "%s%s", name, suffix);
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        if (!f)
                return NULL;
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        buf = calloc(1, (size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        fclose(f);
        return buf;
}

static void write_file(const char *name, const char *suffix, const char *text) {
        _cleanup_free_ char *path = vb_strdupf(DATADIR "%s%s", name, suffix);
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* @got (may be NULL: the tool is not used) against NAME.suffix. */
static void compare(const char *name, const char *suffix, const char *got) {
        _cleanup_free_ char *want = read_file(name, suffix);
        _cleanup_free_ char *path = vb_strdupf(DATADIR "%s%s", name, suffix);

        if (getenv("VB_TEST_REGENERATE")) {
                if (got)
                        write_file(name, suffix, got);
                else
                        (void) unlink(path);
                return;
        }
        if (!got && want)
                fail_msg("%s: %s exists but nothing is generated", name, path);
        if (got && !want)
                fail_msg("%s: missing %s (VB_TEST_REGENERATE=1 writes it); got:\n%s", name, path, got);
        if (got && !streq(got, want))
                fail_msg("%s: differs from %s; got:\n%s", name, path, got);
}

static void run_case(const char *name) {
        _cleanup_free_ char *xml = read_file(name, ".xml"), *err = read_file(name, ".err");
        _cleanup_free_ char *conf = NULL, *rules = NULL, *pid = NULL, *leases = NULL;
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbError e = VB_ERROR_NULL;
        const char *bridge;
        int r;

        assert_non_null(xml);
        r = vb_network_def_parse(xml, 0, &def, &e);
        if (r >= 0)
                r = vb_net_def_check(def, &e);
        if (err) {
                err[strcspn(err, "\n")] = 0;
                if (r >= 0)
                        fail_msg("%s: accepted, expected an error with '%s'", name, err);
                if (!strstr(e.message, err))
                        fail_msg("%s: error '%s' does not contain '%s'", name, e.message, err);
                vb_error_clear(&e);
                return;
        }
        if (r < 0)
                fail_msg("%s: refused: %s", name, e.message);
        bridge = def->bridge ? def->bridge : "virbr0";
        pid = vb_strdupf("/run/virtbus/QEMU/run/network/%s.pid", def->name);
        leases = vb_strdupf("/run/virtbus/QEMU/run/network/%s.leases", def->name);
        if (vb_net_needs_dnsmasq(def))
                conf = vb_net_dnsmasq_conf(def, bridge, pid, leases);
        if (vb_net_needs_nft(def))
                rules = vb_net_nft_ruleset(def, bridge);
        compare(name, ".conf", conf);
        compare(name, ".nft", rules);
}

static void test_data_cases(void **state) {
        struct dirent **list = NULL;
        int n = scandir(DATADIR, &list, NULL, alphasort), cases = 0;

        assert_true(n > 0);
        for (int i = 0; i < n; i++) {
                size_t len = strlen(list[i]->d_name);
                if (len > 4 && streq(list[i]->d_name + len - 4, ".xml")) {
                        _cleanup_free_ char *name = strndup(list[i]->d_name, len - 4);
                        run_case(name);
                        cases++;
                }
                free(list[i]);
        }
        free(list);
        assert_true(cases >= 10);
}

static void test_subnets(void **state) {
        VbNetworkIp a = { .address = (char *) "10.237.1.1", .prefix = 24 };
        VbNetworkIp b = { .address = (char *) "10.237.0.1", .netmask = (char *) "255.255.0.0" };
        VbNetworkIp c = { .address = (char *) "10.238.1.1", .prefix = 24 };
        VbNetworkIp natural = { .address = (char *) "192.168.7.1" };
        VbNetworkIp v6 = { .address = (char *) "fd00::1", .prefix = 64 };
        VbNetSubnet sa, sb, sc, sn;
        char buf[32];

        assert_int_equal(vb_net_subnet(&a, &sa), 0);
        assert_int_equal(vb_net_subnet(&b, &sb), 0);
        assert_int_equal(vb_net_subnet(&c, &sc), 0);
        assert_int_equal(vb_net_subnet(&natural, &sn), 0);
        assert_string_equal(vb_net_subnet_str(&sa, buf), "10.237.1.0/24");
        assert_string_equal(vb_net_subnet_str(&sb, buf), "10.237.0.0/16");
        assert_string_equal(vb_net_subnet_str(&sn, buf), "192.168.7.0/24");
        assert_true(vb_net_subnets_overlap(&sa, &sb));
        assert_true(vb_net_subnets_overlap(&sb, &sa));
        assert_false(vb_net_subnets_overlap(&sa, &sc));
        assert_int_equal(vb_net_subnet(&v6, &sa), -EINVAL);
}

static void test_ifnames(void **state) {
        assert_true(vb_net_ifname_ok("virbr0"));
        assert_true(vb_net_ifname_ok("br-lan.10"));
        assert_false(vb_net_ifname_ok("0123456789abcdef"));   /* 16 */
        assert_false(vb_net_ifname_ok(""));
        assert_false(vb_net_ifname_ok(".."));
        assert_false(vb_net_ifname_ok("a b"));
        assert_false(vb_net_ifname_ok("a\"b"));
        assert_false(vb_net_ifname_ok("virbr%d"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_data_cases),
                cmocka_unit_test(test_subnets),
                cmocka_unit_test(test_ifnames),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
