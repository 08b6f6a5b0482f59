/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registry and test-driver ops for networks, host interfaces, secrets and nwfilters,
 * without a bus: seed state, list filters, refused input leaving state unchanged,
 * interface transactions, secret values, and the events the driver reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "driver.h"
#include "xml-util.h"

static int n_events[_VB_KIND_MAX][VB_EVENT_OBJECT_REMOVED + 1];

static void sink(const VbEvent *ev, void *userdata) {
        n_events[ev->kind][ev->type]++;
}

static int setup(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = NULL;

        memset(n_events, 0, sizeof(n_events));
        vb_event_set_sink(sink, NULL);
        assert_int_equal(vb_connect_open(&vb_test_driver, "/nonexistent", &c, &e), 0);
        *state = c;
        return 0;
}

static int teardown(void **state) {
        vb_connect_close(*state);
        vb_event_set_sink(NULL, NULL);
        return 0;
}

static const char net_xml[] =
        "<network><name>bar</name><uuid>004b96e1-2d78-c30f-5aa5-f03c87d21e69</uuid>"
        "<bridge name='brdefault'/></network>";

static size_t count_networks(VbConnect *c, unsigned flags) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ VbNetworkObj **l = NULL;
        size_t n = 0;
        assert_int_equal(vb_network_list(c, flags, &l, &n, &e), 0);
        return n;
}

static void test_network_seed_and_filters(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        VbNetworkObj *n = NULL, **l = NULL;
        size_t k;

        assert_non_null(vb_network_find_name(c, "default"));
        assert_true(vb_network_find_name(c, "default")->active);
        assert_int_equal(c->driver->network->define_xml(c, net_xml, 0, &n, &e), 0);
        assert_int_equal(n_events[VB_KIND_NETWORK][VB_EVENT_NETWORK_LIFECYCLE], 1);
        assert_int_equal(n_events[VB_KIND_NETWORK][VB_EVENT_OBJECT_ADDED], 1);
        assert_int_equal(count_networks(c, 0), 2);
        assert_int_equal(count_networks(c, 1 /* INACTIVE */), 1);
        assert_int_equal(count_networks(c, 2 /* ACTIVE */), 1);
        assert_int_equal(count_networks(c, 3), 2);
        assert_int_equal(count_networks(c, 8 /* TRANSIENT */), 0);
        assert_true(vb_network_list(c, 0x40, &l, &k, &e) < 0);
        assert_string_equal(e.message, "invalid argument: unsupported flags (0x40) in function vb_network_list");
}

static void test_network_refused_input(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        VbNetworkObj *n = NULL;

        assert_true(c->driver->network->define_xml(c, "<network><name>x</name>", 0, &n, &e) < 0);
        vb_error_clear(&e);
        assert_true(c->driver->network->define_xml(c, net_xml, 2, &n, &e) < 0);
        vb_error_clear(&e);
        n = vb_network_find_name(c, "default");
        assert_true(c->driver->network->update(n, 4, 4, 0, "<host mac='zz' ip='1.2.3.4'/>", 0, &e) < 0);
        assert_int_equal(count_networks(c, 0), 1);
        assert_int_equal(n_events[VB_KIND_NETWORK][VB_EVENT_NETWORK_LIFECYCLE], 0);
}

static void test_network_transient_goes_away(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        VbNetworkObj *n = NULL;

        assert_int_equal(c->driver->network->create_xml(c, net_xml, 0, &n, &e), 0);
        assert_true(n->active);
        assert_false(n->persistent);
        assert_int_equal(c->driver->network->destroy(n, &e), 0);
        assert_null(vb_network_find_name(c, "bar"));
        assert_int_equal(n_events[VB_KIND_NETWORK][VB_EVENT_OBJECT_REMOVED], 1);
}

static const char iface_xml[] =
        "<interface type='ethernet' name='test-iface'><mac address='11:22:33:44:55:66'/></interface>";

static void test_iface_transaction(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        const VbIfaceOps *ops = c->driver->iface;
        VbIfaceObj *i = NULL;

        assert_int_equal(vb_iface_find_mac(c, "AA:BB:CC:DD:EE:FF", &i), 1);
        assert_string_equal(i->name, "eth1");
        assert_int_equal(ops->change_begin(c, 0, &e), 0);
        assert_true(ops->change_begin(c, 0, &e) < 0);
        assert_string_equal(e.message, "Requested operation is not valid: there is another transaction running.");
        assert_int_equal(ops->define_xml(c, iface_xml, 0, &i, &e), 0);
        assert_int_equal(ops->undefine(vb_iface_find_name(c, "eth1"), &e), 0);
        assert_int_equal(c->n_ifaces, 1);
        assert_int_equal(ops->change_rollback(c, 0, &e), 0);
        assert_int_equal(c->n_ifaces, 1);
        assert_non_null(vb_iface_find_name(c, "eth1"));
        assert_true(vb_iface_find_name(c, "eth1")->active);
        assert_null(vb_iface_find_name(c, "test-iface"));
        assert_true(ops->change_commit(c, 0, &e) < 0);
        assert_string_equal(e.message, "Requested operation is not valid: no transaction running, nothing to be committed.");
}

static const char secret_xml[] =
        "<secret private='yes'><uuid>6dd3e4a5-1d76-44ce-961f-f119f5aad935</uuid>"
        "<usage type='iscsi'><target>iqn.2013-07.com.example:t</target></usage></secret>";

static void test_secret_value(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        const VbSecretOps *ops = c->driver->secret;
        _cleanup_free_ uint8_t *big = calloc(64 * 1024 + 1, 1);
        VbSecretObj *s = NULL;
        uint8_t *v = NULL;
        size_t n = 0;

        assert_int_equal(ops->define_xml(c, secret_xml, 0, &s, &e), 0);
        assert_ptr_equal(vb_secret_find_usage(c, 3, "iqn.2013-07.com.example:t"), s);
        assert_null(vb_secret_find_usage(c, 0, NULL));
        assert_int_equal(ops->set_value(s, (const uint8_t *) "abc", 3, 0, &e), 0);
        assert_true(ops->set_value(s, big, 64 * 1024 + 1, 0, &e) < 0);
        assert_int_equal(s->value_len, 3);
        vb_error_clear(&e);
        assert_true(ops->get_value(s, 0, &v, &n, &e) < 0);
        assert_string_equal(e.message, "Invalid secret: secret is private");
        assert_null(v);
        assert_int_equal(n_events[VB_KIND_SECRET][VB_EVENT_SECRET_LIFECYCLE], 1);
        assert_int_equal(ops->undefine(s, &e), 0);
        assert_int_equal(c->n_secrets, 0);
        assert_int_equal(n_events[VB_KIND_SECRET][VB_EVENT_SECRET_LIFECYCLE], 2);
}

static void test_nwfilter(void **state) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbConnect *c = *state;
        VbNWFilterObj *f = NULL;

        assert_int_equal(c->driver->nwfilter->define_xml(c, "<filter name='f1' chain='root'/>", 0, &f, &e), 0);
        assert_ptr_equal(vb_nwfilter_find_name(c, "f1"), f);
        assert_ptr_equal(vb_nwfilter_find_uuid(c, f->uuid), f);
        assert_int_equal(c->driver->nwfilter->undefine(f, &e), 0);
        assert_int_equal(c->n_nwfilters, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_network_seed_and_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_refused_input, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_transient_goes_away, setup, teardown),
                cmocka_unit_test_setup_teardown(test_iface_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_secret_value, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nwfilter, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
