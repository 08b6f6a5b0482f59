/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Domain XML → QEMU argv, data-driven: tests/data/qemu-argv/NAME.xml gives NAME.args
 * (one argument per line) or NAME.err (a substring of the expected error message).
 * VB_TEST_REGENERATE=1 rewrites the .args files. Plus checks on definitions the XML
 * parser would refuse (values set by hand), options and argv invariants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "data-test.h"
#include "qemu/qemu-command.h"
#include "xml-util.h"

#define DATADIR "tests/data/qemu-argv/"
#define RUNDIR "/run/virtbus/qemu/domain-1"

typedef struct Case {
        const char *name;
        bool kvm;          /* kvm_available */
        size_t n_fds;      /* tap fds passed: 30, 31, ... */
        bool paused;
} Case;

static const Case cases[] = {
        { "minimal-tcg", false, 0, false },
        { "q35-kvm", true, 0, true },
        { "kvm-without-dev-kvm", false, 0, false },
        { "kernel-boot", false, 0, true },
        { "disks-raw-qcow2", false, 0, false },
        { "cdrom-readonly", false, 0, false },
        { "cdrom-empty-sata-pc", false, 0, false },
        { "nics", false, 2, false },
        { "nic-missing-tap", false, 1, false },
        { "serial-console", false, 0, false },
        { "vnc-autoport-socket", false, 0, false },
        { "vnc-port-listen", false, 0, false },
        { "vnc-listen-injection", false, 0, false },
        { "spice", false, 0, false },
        { "video-tablet-channel", false, 0, false },
        { "q35-full", true, 3, true },
        { "boot-order", false, 0, false },
        { "scsi-usb-disks", false, 0, false },
        { "path-comma-escaped", false, 0, false },
        { "path-newline", false, 0, false },
        { "cmdline-newline", false, 0, false },
        { "name-comma", false, 0, false },
        { "cpu-model-injection", false, 0, false },
        { "relative-disk-path", false, 0, false },
        { "host-passthrough-tcg", false, 0, false },
        { "ide-on-q35", false, 0, false },
        { "unsupported-device", false, 0, false },
        { "test-type", false, 0, false },
        { "channel-name-injection", false, 0, false },
        { "qcow2-format-unsupported", false, 0, false },
};

static int tap_fds[] = { 30, 31, 32, 33 };

static VbQemuCmdOpts case_opts(const Case *k) {
        return (VbQemuCmdOpts) {
                .qmp_socket_path = RUNDIR "/qmp.sock",
                .runtime_dir = RUNDIR,
                .kvm_available = k->kvm,
                .tap_fds = tap_fds,
                .n_tap_fds = k->n_fds,
                .start_paused = k->paused,
        };
}

static VbDomainDef *parse_xml(const char *name, const char *xml) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbDomainDef *def = NULL;

        if (vb_domain_def_parse(xml, 0, &def, &e) < 0)
                fail_msg("%s: the domain XML does not parse: %s", name, e.message);
        return def;
}

static VbDomainDef *parse_case(const char *name) {
        _cleanup_free_ char *xml = vb_data_read(DATADIR, name, ".xml");

        if (!xml)
                fail_msg("%s: missing " DATADIR "%s.xml", name, name);
        return parse_xml(name, xml);
}

/* Arguments joined one per line; none may hold a newline or another control char. */
static char *join_lines(char **argv) {
        VbBuf b = { 0 };
        for (char **a = argv; *a; a++) {
                for (const char *p = *a; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                fail_msg("argument '%s' holds a control character", *a);
                vb_buf_puts(&b, *a);
                vb_buf_puts(&b, "\n");
        }
        return vb_buf_steal(&b);
}

static void run_case(const Case *k) {
        _cleanup_(vb_data_case_done) VbDataCase c = vb_data_case(DATADIR, k->name);
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_xml(k->name, c.input);
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *actual = NULL;
        VbQemuCmdOpts o = case_opts(k);
        char **argv = NULL;
        int r = vb_qemu_build_argv(def, &o, &argv, &e);

        if (vb_data_case_failed(&c, r, e.message)) {
                assert_null(argv);
                return;
        }
        actual = join_lines(argv);
        vb_strv_free(argv);
        vb_data_case_compare(&c, ".args", actual, NULL);
}

static void test_data_cases(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                run_case(&cases[i]);
}

/* ---- definitions the parser refuses, set by hand ---- */

static int build(VbDomainDef *def, const VbQemuCmdOpts *o, char ***argv, VbError *e) {
        *argv = NULL;
        vb_error_clear(e);
        return vb_qemu_build_argv(def, o, argv, e);
}

static void expect_failure(VbDomainDef *def, const VbQemuCmdOpts *o, VbErrorCode code,
                           const char *substring) {
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        char **argv;
        int r = build(def, o, &argv, &e);

        if (r >= 0)
                fail_msg("expected '%s', got an argv", substring);
        assert_null(argv);
        assert_int_equal(e.code, code);
        if (!strstr(e.message, substring))
                fail_msg("error '%s' does not contain '%s'", e.message, substring);
}

static void test_hand_made_values(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("nics");
        VbQemuCmdOpts o = case_opts(&(Case) { .n_fds = 2 });

        free(def->name);
        def->name = vb_strdup("evil\nname");
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "domain name contains a control character");
        free(def->name);
        def->name = vb_strdup("fine");

        free(def->nets[0].mac);
        def->nets[0].mac = vb_strdup("52:54:00:00:00:01,id=x");
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "is not a unicast MAC address");
        free(def->nets[0].mac);
        def->nets[0].mac = vb_strdup("53:54:00:00:00:01");   /* multicast bit */
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "is not a unicast MAC address");
        free(def->nets[0].mac);
        def->nets[0].mac = vb_strdup("52:54:00:00:00:01");

        free(def->nets[0].model);
        def->nets[0].model = vb_strdup("virtio,addr=0x3");
        expect_failure(def, &o, VB_ERR_CONFIG_UNSUPPORTED, "interface model");
}

static void test_options(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("minimal-tcg");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        VbQemuCmdOpts o = case_opts(&(Case) { 0 });
        _cleanup_free_ char *long_path = NULL;
        char **argv;

        o.qmp_socket_path = NULL;
        expect_failure(def, &o, VB_ERR_INTERNAL, "no QMP socket path");
        o.qmp_socket_path = "qmp.sock";
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "is not an absolute path");
        long_path = vb_strdupf("/%0120d", 0);
        o.qmp_socket_path = long_path;
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "too long for a unix socket");
        o.qmp_socket_path = "/run/q,m,p.sock";
        assert_int_equal(build(def, &o, &argv, &e), 0);
        assert_string_equal(argv[0], VB_QEMU_DEFAULT_EMULATOR);
        for (size_t i = 0; argv[i]; i++)
                if (streq(argv[i], "-chardev"))
                        assert_string_equal(argv[i + 1],
                                            "socket,id=charmonitor,path=/run/q,,m,,p.sock,server=on,wait=off");
        vb_strv_free(argv);

        /* emulator: the caller's choice wins over <emulator>, both are checked */
        def->emulator = vb_strdup("/opt/qemu/bin/qemu-system-x86_64");
        assert_int_equal(build(def, &o, &argv, &e), 0);
        assert_string_equal(argv[0], "/opt/qemu/bin/qemu-system-x86_64");
        vb_strv_free(argv);
        o.emulator = "/usr/local/bin/qemu";
        assert_int_equal(build(def, &o, &argv, &e), 0);
        assert_string_equal(argv[0], "/usr/local/bin/qemu");
        vb_strv_free(argv);
        o.emulator = "qemu-system-x86_64";
        expect_failure(def, &o, VB_ERR_INVALID_ARG, "emulator 'qemu-system-x86_64' is not an absolute path");
}

static void test_runtime_dir_needed(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("vnc-autoport-socket");
        VbQemuCmdOpts o = case_opts(&(Case) { 0 });

        o.runtime_dir = NULL;
        expect_failure(def, &o, VB_ERR_INTERNAL, "VNC socket needs a runtime directory");
}

static void test_tap_fd_minus_one(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("nics");
        int fds[] = { 30, -1 };
        VbQemuCmdOpts o = case_opts(&(Case) { 0 });

        o.tap_fds = fds;
        o.n_tap_fds = 2;
        expect_failure(def, &o, VB_ERR_CONFIG_UNSUPPORTED, "needs a tap device and none was given");
}

/* Building twice gives the same argv, and the input is left unchanged. */
static void test_deterministic(void **state) {
        _cleanup_(vb_domain_def_freep) VbDomainDef *def = parse_case("q35-full");
        _cleanup_vb_error_ VbError e = VB_ERROR_NULL;
        _cleanup_free_ char *before = vb_domain_def_format(def, -1, 0), *after = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL;
        VbQemuCmdOpts o = case_opts(&(Case) { .kvm = true, .n_fds = 3 });
        char **argv;

        assert_int_equal(build(def, &o, &argv, &e), 0);
        a = join_lines(argv);
        vb_strv_free(argv);
        assert_int_equal(build(def, &o, &argv, &e), 0);
        b = join_lines(argv);
        vb_strv_free(argv);
        assert_string_equal(a, b);
        after = vb_domain_def_format(def, -1, 0);
        assert_string_equal(before, after);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_data_cases),
                cmocka_unit_test(test_hand_made_values),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_runtime_dir_needed),
                cmocka_unit_test(test_tap_fd_minus_one),
                cmocka_unit_test(test_deterministic),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
