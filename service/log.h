/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include <stdbool.h>

#include "util.h"

void vb_log_set_verbose(bool v);
void vb_log_debug(const char *fmt, ...) _printf_(1, 2);
void vb_log_info(const char *fmt, ...) _printf_(1, 2);
/* Logs and returns @r (negative errno). */
int vb_log_error(int r, const char *fmt, ...) _printf_(2, 3);
