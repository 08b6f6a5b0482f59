/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of qemu-tap.c that need no root and create nothing: interface types,
 * bridge and target names, a bridge that does not exist or is not a bridge. (Creating
 * taps is covered by tests/integration/test_qemu_net.py, as root.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "qemu/qemu-tap.h"
#include "util.h"

static void expect_refused(const char *type, const char *source, const char *target, VbErrorCode code,
                           const char *text) {
        VbDomainNet n = { .type = (char *) type, .source = (char *) source, .target_dev = (char *) target,
                          .mac = (char *) "52:54:00:00:00:01" };
        VbError e = VB_ERROR_NULL;
        VbQemuTap t = { .fd = -1 };

        assert_true(vb_qemu_tap_check(NULL, &n, &e) < 0);
        assert_int_equal(e.code, code);
        if (!strstr(e.message, text))
                fail_msg("'%s' does not contain '%s'", e.message, text);
        vb_error_clear(&e);
        /* opening checks the same first: nothing is created */
        assert_true(vb_qemu_tap_open(NULL, &n, &t, &e) < 0);
        assert_int_equal(t.fd, -1);
        assert_null(t.name);
        vb_error_clear(&e);
}

static void test_types(void **state) {
        VbDomainNet user = { .type = (char *) "user" }, bridge = { .type = (char *) "bridge" },
                    network = { .type = (char *) "network" };

        assert_false(vb_qemu_net_uses_tap(&user));
        assert_true(vb_qemu_net_uses_tap(&bridge));
        assert_true(vb_qemu_net_uses_tap(&network));
        expect_refused("network", "default", NULL, VB_ERR_NO_NETWORK,
                       "Network not found: no network with matching name 'default'");
        expect_refused("direct", "eth0", NULL, VB_ERR_CONFIG_UNSUPPORTED, "interface type 'direct'");
        expect_refused("bridge", NULL, NULL, VB_ERR_CONFIG_UNSUPPORTED, "source bridge");
}

static void test_bridge_names(void **state) {
        expect_refused("bridge", "a/b", NULL, VB_ERR_INVALID_ARG, "invalid bridge name 'a/b'");
        expect_refused("bridge", "br:0", NULL, VB_ERR_INVALID_ARG, "invalid bridge name");
        expect_refused("bridge", "br 0", NULL, VB_ERR_INVALID_ARG, "invalid bridge name");
        expect_refused("bridge", "..", NULL, VB_ERR_INVALID_ARG, "invalid bridge name");
        expect_refused("bridge", "", NULL, VB_ERR_CONFIG_UNSUPPORTED, "source bridge");
        expect_refused("bridge", "0123456789abcdef", NULL, VB_ERR_INVALID_ARG,
                       "Network interface name '0123456789abcdef' is too long");
        expect_refused("bridge", "vbtnosuch0", NULL, VB_ERR_OPERATION_FAILED,
                       "Cannot get interface MTU on 'vbtnosuch0': No such device");
        /* exists, but is no bridge */
        expect_refused("bridge", "lo", NULL, VB_ERR_OPERATION_FAILED, "'lo': it is not a bridge");
}

static void test_target_names(void **state) {
        /* names are checked before the host is asked: the bridge need not exist */
        expect_refused("bridge", "vbtnosuch0", "bad/name", VB_ERR_INVALID_ARG, "invalid target device name 'bad/name'");
        expect_refused("bridge", "vbtnosuch0", "tap%s", VB_ERR_INVALID_ARG, "only one '%d'");
        expect_refused("bridge", "vbtnosuch0", "t%d%d", VB_ERR_INVALID_ARG, "only one '%d'");
        expect_refused("bridge", "vbtnosuch0", "0123456789abcdefg", VB_ERR_INVALID_ARG, "is too long");
        /* valid own names and libvirt's reserved prefixes pass on to the bridge check */
        expect_refused("bridge", "vbtnosuch0", "mytap%d", VB_ERR_OPERATION_FAILED, "Cannot get interface MTU");
        expect_refused("bridge", "vbtnosuch0", "vnet7", VB_ERR_OPERATION_FAILED, "Cannot get interface MTU");
        expect_refused("bridge", "vbtnosuch0", "lo", VB_ERR_OPERATION_FAILED, "Cannot get interface MTU");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_types),
                cmocka_unit_test(test_bridge_names),
                cmocka_unit_test(test_target_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
