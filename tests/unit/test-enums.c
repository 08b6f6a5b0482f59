/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Enum tables: every value has a name, names map back, wire values equal libvirt's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "driver.h"
#include "job.h"
#include "network.h"
#include "secret.h"
#include "vb-error.h"

static void test_error_codes(void **state) {
        for (int c = 1; c < _VB_ERR_MAX; c++) {
                const char *p = vb_error_code_prefix((VbErrorCode) c);
                assert_non_null(p);
                assert_true(p[0] != 0);
                assert_true(vb_error_code_to_errno((VbErrorCode) c) < 0);
        }
        /* texts clients match */
        assert_string_equal(vb_error_code_prefix(VB_ERR_NO_SUPPORT),
                            "this function is not supported by the connection driver");
        assert_string_equal(vb_error_code_prefix(VB_ERR_NO_DOMAIN), "Domain not found");
        assert_string_equal(vb_error_code_prefix(VB_ERR_NO_DOMAIN_SNAPSHOT), "Domain snapshot not found");
        /* out of range falls back to an internal error, never crashes */
        assert_string_equal(vb_error_code_prefix((VbErrorCode) 9999), "internal error");
}

static void test_error_set(void **state) {
        VbError e = VB_ERROR_NULL;
        assert_int_equal(vb_error_unsupported(&e, "virDomainFoo"), -EOPNOTSUPP);
        assert_string_equal(e.message, "this function is not supported by the connection driver: virDomainFoo");
        assert_int_equal(vb_error_set(&e, VB_ERR_INVALID_UUID, NULL), -EINVAL);
        assert_string_equal(e.message, "Invalid UUID");
        vb_error_clear(&e);
        assert_null(e.message);
        assert_true(vb_error_set(NULL, VB_ERR_NO_DOMAIN, "x") < 0);
}

static void test_libvirt_values(void **state) {
        /* these go on the wire unchanged (virDomainState, virDomainEventType) */
        assert_int_equal(VB_DOMAIN_RUNNING, 1);
        assert_int_equal(VB_DOMAIN_PAUSED, 3);
        assert_int_equal(VB_DOMAIN_SHUTOFF, 5);
        assert_int_equal(VB_DOMAIN_PMSUSPENDED, 7);
        assert_int_equal(VB_EV_STOPPED, 5);
        assert_int_equal(VB_EV_CRASHED, 8);
        assert_int_equal(VB_EV_STOPPED_SAVED, 4);
        assert_int_equal(VB_SECRET_USAGE_VTPM, 5);
}

static void test_forward_modes(void **state) {
        for (int m = 0; m < _VB_NET_FORWARD_MAX; m++) {
                const char *s = vb_net_forward_mode_to_string((VbNetForwardMode) m);
                assert_non_null(s);
                assert_int_equal(vb_net_forward_mode_from_string(s), m);
        }
        assert_true(vb_net_forward_mode_from_string("teleport") < 0);
}

static void test_secret_usage(void **state) {
        for (int t = 0; t < _VB_SECRET_USAGE_MAX; t++) {
                const char *s = vb_secret_usage_type_to_string((VbSecretUsageType) t);
                assert_non_null(s);
                assert_int_equal(vb_secret_usage_type_from_string(s), t);
        }
        assert_true(vb_secret_usage_type_from_string("password") < 0);
}

static void test_job_states(void **state) {
        assert_string_equal(vb_job_state_to_string(VB_JOB_RUNNING), "running");
        assert_string_equal(vb_job_state_to_string(VB_JOB_COMPLETED), "completed");
        assert_string_equal(vb_job_state_to_string(VB_JOB_FAILED), "failed");
        assert_string_equal(vb_job_state_to_string(VB_JOB_CANCELLED), "cancelled");
        assert_string_equal(vb_job_state_to_string((VbJobState) 42), "failed");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_error_codes),
                cmocka_unit_test(test_error_set),
                cmocka_unit_test(test_libvirt_values),
                cmocka_unit_test(test_forward_modes),
                cmocka_unit_test(test_secret_usage),
                cmocka_unit_test(test_job_states),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
