/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual networks of the in-memory test driver; semantics and messages follow
 * libvirt's test:///default. */
#include "network.h"
#include "test-net.h"
#include "xml-util.h"

enum {
        NET_DEFINE_VALIDATE = 1,        /* VIR_NETWORK_DEFINE_VALIDATE */
        NET_CREATE_VALIDATE = 1,        /* VIR_NETWORK_CREATE_VALIDATE */
        NET_XML_INACTIVE = 1,           /* VIR_NETWORK_XML_INACTIVE */
        NET_UPDATE_LIVE = 1,            /* VIR_NETWORK_UPDATE_AFFECT_LIVE */
        NET_UPDATE_CONFIG = 2,          /* VIR_NETWORK_UPDATE_AFFECT_CONFIG */
};

/* The seed document's network, as libvirt's defaultConnXML has it. */
static const char seed_network[] =
        "<network>\n"
        "  <name>default</name>\n"
        "  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
        "  <bridge name='virbr0'/>\n"
        "  <forward/>\n"
        "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
        "    <dhcp>\n"
        "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
        "    </dhcp>\n"
        "  </ip>\n"
        "</network>\n";

int vb_test_network_seed(VbConnect *c, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbNetworkObj *n;
        int r;

        r = vb_network_def_parse(seed_network, 0, &def, e);
        if (r < 0)
                return r;
        r = vb_network_obj_add(c, VB_TEST_NET_OBJECTS_MAX, &def, &n, e);
        if (r < 0)
                return r;
        n->active = true;
        n->persistent = true;
        return 0;
}

/* The new definition and the network it is for (NULL: a new one). */
static int parse_new(VbConnect *c, const char *xml, VbNetworkDef **ret_def, VbNetworkObj **ret_existing,
                     VbError *e) {
        int r = vb_network_def_parse(xml, 0, ret_def, e);
        if (r < 0)
                return r;
        return vb_network_check_unique(c, (*ret_def)->name, (*ret_def)->uuid, ret_existing, e);
}

static int test_define_xml(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbNetworkObj *n = NULL;
        int r;

        VB_CHECK_FLAGS(flags, NET_DEFINE_VALIDATE, e);
        r = parse_new(c, xml, &def, &n, e);
        if (r < 0)
                return r;
        return vb_network_define(c, n, VB_TEST_NET_OBJECTS_MAX, &def, ret, e);
}

static int test_create_xml(VbConnect *c, const char *xml, unsigned flags, VbNetworkObj **ret, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *def = NULL;
        VbNetworkObj *n = NULL;
        int r;

        VB_CHECK_FLAGS(flags, NET_CREATE_VALIDATE, e);
        r = parse_new(c, xml, &def, &n, e);
        if (r < 0)
                return r;
        if (n && n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "network is already active as '%s'", n->name);
        if (n) {
                /* a defined network runs this definition until it stops */
                if (!n->newdef)
                        n->newdef = n->def;
                else
                        vb_network_def_free(n->def);
                n->def = TAKE_PTR(def);
                vb_network_obj_started(n, false);
        } else {
                r = vb_network_obj_add(c, VB_TEST_NET_OBJECTS_MAX, &def, &n, e);
                if (r < 0)
                        return r;
                vb_network_obj_started(n, true);
        }
        *ret = n;
        return 0;
}

static int test_undefine(VbNetworkObj *n, VbError *e) {
        if (n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "Network '%s' is still running", n->name);
        vb_network_event(n, VB_OBJ_EV_UNDEFINED);
        vb_network_obj_remove(n);
        return 0;
}

static int test_create(VbNetworkObj *n, VbError *e) {
        if (n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "Network '%s' is already running", n->name);
        vb_network_obj_started(n, false);
        return 0;
}

static int test_destroy(VbNetworkObj *n, VbError *e) {
        int r = vb_network_require_active(n, e);
        if (r < 0)
                return r;
        vb_network_obj_stopped(n, vb_network_obj_remove);
        return 0;
}

/* AFFECT_CURRENT means the live state of a running network, the config otherwise. */
static int update_impact(VbNetworkObj *n, unsigned *flags, VbError *e) {
        if ((*flags & (NET_UPDATE_LIVE | NET_UPDATE_CONFIG)) == 0)
                *flags |= n->active ? NET_UPDATE_LIVE : NET_UPDATE_CONFIG;
        if ((*flags & NET_UPDATE_LIVE) && !n->active)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID, "network is not running");
        if ((*flags & NET_UPDATE_CONFIG) && !n->persistent)
                return vb_error_set(e, VB_ERR_OPERATION_INVALID,
                                    "cannot change persistent config of a transient network");
        return 0;
}

static int test_update(VbNetworkObj *n, unsigned command, unsigned section, int parent_index,
                       const char *xml, unsigned flags, VbError *e) {
        _cleanup_(vb_network_def_freep) VbNetworkDef *live = NULL, *config = NULL;
        int r;

        VB_CHECK_FLAGS(flags, NET_UPDATE_LIVE | NET_UPDATE_CONFIG, e);
        r = update_impact(n, &flags, e);
        if (r < 0)
                return r;
        /* work on copies, so a failure changes nothing */
        if (flags & NET_UPDATE_LIVE) {
                live = vb_network_def_copy(n->def);
                r = vb_network_def_update(live, command, section, parent_index, xml, 0, e);
                if (r < 0)
                        return r;
        }
        if (flags & NET_UPDATE_CONFIG) {
                config = vb_network_def_copy(n->active && n->newdef ? n->newdef : n->def);
                r = vb_network_def_update(config, command, section, parent_index, xml, 0, e);
                if (r < 0)
                        return r;
        }
        if (live) {
                vb_network_def_free(n->def);
                n->def = TAKE_PTR(live);
        }
        if (config && n->active) {
                vb_network_def_free(n->newdef);
                n->newdef = TAKE_PTR(config);
        } else if (config) {
                vb_network_def_free(n->def);
                n->def = TAKE_PTR(config);
        }
        return 0;
}

static int test_get_xml_desc(VbNetworkObj *n, unsigned flags, char **ret, VbError *e) {
        VB_CHECK_FLAGS(flags, NET_XML_INACTIVE, e);
        return vb_network_format_xml(n, flags & NET_XML_INACTIVE, ret, e);
}

/* Nothing to keep on disk: only the flag changes. */
static int test_set_autostart(VbNetworkObj *n, bool autostart, VbError *e) {
        return vb_network_set_autostart(n, autostart, NULL, e);
}

/* get_dhcp_leases stays NULL: libvirt's test driver has no DHCP leases either. */
const VbNetworkOps vb_test_network_ops = {
        .define_xml = test_define_xml,
        .create_xml = test_create_xml,
        .undefine = test_undefine,
        .create = test_create,
        .destroy = test_destroy,
        .update = test_update,
        .get_xml_desc = test_get_xml_desc,
        .set_autostart = test_set_autostart,
};
