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

#include "data-test.h"
#include "network/net-conf.h"
#include "xml-util.h"

#define DATADIR "tests/data/network-dnsmasq/"

static void run_case(const char *name) {
        _cleanup_(vb_data_case_done) VbDataCase c = vb_data_case(DATADIR, name);
        _cleanup_free_ char *conf = NULL, *rules = NULL, *pid = NULL, *leases = NULL;
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        const char *bridge;
        int r;

        r = vb_network_def_parse(c.input, 0, &def, &e);
        if (r >= 0)
                r = vb_net_def_check(def, &e);
        if (vb_data_case_failed(&c, r, e.message))
                return;
        bridge = def->bridge ? def->bridge : "virbr0";
        pid = vb_strdupf("/run/virtbus/QEMU/run/network/%s.pid", def->name);
        leases = vb_strdupf("/run/virtbus/QEMU/run/network/%s.leases", def->name);
        if (vb_net_needs_dnsmasq(def))
                conf = vb_net_dnsmasq_conf(def, bridge, pid, leases);
        if (vb_net_needs_nft(def))
                rules = vb_net_nft_ruleset(def, bridge);
        /* no file where the network does not use the tool */
        vb_data_case_compare(&c, ".conf", conf, NULL);
        vb_data_case_compare(&c, ".nft", rules, NULL);
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
