/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtbusd: owns org.libvirt and serves one org.libvirt.Connect per enabled driver. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "bus-object.h"
#include "config.h"
#include "polkit.h"
#include "service.h"

static void usage(void) {
        printf("Usage: virtbusd [--system|--session|--bus ADDRESS] [--root DIR] [--drivers LIST] [--verbose]\n"
               "\n"
               "  --system        connect to the system bus (default for root)\n"
               "  --session       connect to the session bus (default otherwise)\n"
               "  --bus ADDRESS   connect to the bus at ADDRESS (tests use private buses)\n"
               "  --root DIR      keep all state under DIR\n"
               "  --drivers LIST  comma-separated drivers to serve (default: test)\n"
               "  --verbose       log debug messages to stderr\n"
               "  --version       print the version and exit\n");
}

static int parse_args(int argc, char **argv, VbServiceConfig *cfg) {
        enum { ARG_SYSTEM = 0x100, ARG_SESSION, ARG_BUS, ARG_ROOT, ARG_DRIVERS, ARG_VERBOSE, ARG_VERSION };
        static const struct option opts[] = {
                { "system", no_argument, NULL, ARG_SYSTEM },
                { "session", no_argument, NULL, ARG_SESSION },
                { "bus", required_argument, NULL, ARG_BUS },
                { "root", required_argument, NULL, ARG_ROOT },
                { "drivers", required_argument, NULL, ARG_DRIVERS },
                { "verbose", no_argument, NULL, ARG_VERBOSE },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case ARG_SYSTEM: cfg->bus_kind = VB_BUS_SYSTEM; break;
                case ARG_SESSION: cfg->bus_kind = VB_BUS_SESSION; break;
                case ARG_BUS: cfg->bus_kind = VB_BUS_ADDRESS; cfg->bus_address = optarg; break;
                case ARG_ROOT: cfg->root = optarg; break;
                case ARG_DRIVERS: cfg->drivers = optarg; break;
                case ARG_VERBOSE: cfg->verbose = true; break;
                case ARG_VERSION: printf("virtbusd %s\n", VB_VERSION); return 0;
                case 'h': usage(); return 0;
                default: usage(); return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "virtbusd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        VbServiceConfig cfg = {
                .bus_kind = geteuid() == 0 ? VB_BUS_SYSTEM : VB_BUS_SESSION,
                .drivers = "test",
        };
        int r;

        r = parse_args(argc, argv, &cfg);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return vb_service_run(&cfg) < 0 ? 1 : 0;
}
