#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Extract the org.libvirt member list from the reference notes into a TSV.

Usage: gen_members_tsv.py [REFERENCE_MD] [OUTPUT_TSV]

Reads section 5 ("API reference") of reference/org.libvirt-api.md and writes
one row per method, property and signal.  The result is a table of facts
(names and D-Bus signatures) that check_introspection.py --self-test compares
our interface files against.  The script refuses to write anything when the
parsed totals disagree with the reference's own count table (section 5.1) or
when an argument list does not have one name per complete type.

Columns (tab separated, "-" = empty):
  interface  kind  member  in_sig  out_sig  in_args  out_args  access  libvirt  note
    method:   in_sig/out_sig as in the reference, args comma separated
    property: out_sig = property type, access = read|readwrite
    signal:   out_sig = signal signature, out_args = argument names
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REF = '/work/shared/reference/org.libvirt-api.md'
DEFAULT_OUT = os.path.join(HERE, 'libvirt-dbus-members.tsv')

COLUMNS = ('interface', 'kind', 'member', 'in_sig', 'out_sig',
           'in_args', 'out_args', 'access', 'libvirt', 'note')


def split_signature(sig):
    """Split a D-Bus signature into its complete types."""
    out = []
    i = 0

    def one(pos):
        c = sig[pos]
        if c in 'ybnqiuxtdsoghv':
            return pos + 1
        if c == 'a':
            if pos + 1 < len(sig) and sig[pos + 1] == '{':
                end = one(pos + 2)
                end = one(end)
                if end >= len(sig) or sig[end] != '}':
                    raise ValueError('bad dict entry in %r' % sig)
                return end + 1
            return one(pos + 1)
        if c == '(':
            pos += 1
            if sig[pos] == ')':
                raise ValueError('empty struct in %r' % sig)
            while sig[pos] != ')':
                pos = one(pos)
            return pos + 1
        raise ValueError('bad type code %r in %r' % (c, sig))

    while i < len(sig):
        j = one(i)
        out.append(sig[i:j])
        i = j
    return out


def cells(line):
    line = line.strip()
    if not (line.startswith('|') and line.endswith('|')):
        return None
    return [c.strip() for c in line[1:-1].split('|')]


def unquote(cell):
    cell = cell.strip()
    if cell in ('-', '–', ''):
        return ''
    m = re.fullmatch(r'`([^`]*)`', cell)
    if not m:
        raise ValueError('expected a `signature`, got %r' % cell)
    return m.group(1)


def names(text):
    text = text.strip()
    if text in ('', '(none)'):
        return []
    return [n.strip() for n in text.split(',') if n.strip()]


def split_api(text):
    """'virX — note' or 'virX (note)' -> (virX, note)."""
    api, _, note = strip_md(text).partition(' — ')
    m = re.fullmatch(r'(\w+) \((.*)\)', api.strip())
    if m:
        api, note = m.group(1), (m.group(2) + ('; ' + note if note else ''))
    return api.strip(), note.strip()


def strip_md(text):
    text = text.replace('**', '').replace('`', '')
    return re.sub(r'\s+', ' ', text).strip()


def parse(ref_text):
    lines = ref_text.splitlines()
    counts = {}
    rows = []
    iface = None
    mode = None
    in_section5 = False
    for line in lines:
        if line.startswith('## '):
            in_section5 = line.startswith('## 5.')
            iface = None
            mode = None
            continue
        if not in_section5:
            continue
        m = re.match(r'### 5\.\d+ (org\.libvirt\.\w+)\s*$', line)
        if m:
            iface = m.group(1)
            mode = None
            continue
        if line.startswith('### '):
            iface = None
            mode = 'counts' if line.startswith('### 5.1 ') else None
            continue
        c = cells(line)
        if c is None:
            if iface is not None:
                mode = None
            continue
        if all(re.fullmatch(r':?-+:?', x) for x in c):
            continue
        if mode == 'counts' or (iface is None and c[0] == 'Interface'):
            if c[0] == 'Interface':
                mode = 'counts'
                continue
            m = re.fullmatch(r'(org\.libvirt\.\w+)', c[0])
            if m:
                counts[m.group(1)] = tuple(int(x) for x in c[1:4])
            elif 'Total' in c[0]:
                counts['total'] = tuple(int(x.strip('*')) for x in c[1:4])
            continue
        if iface is None:
            continue
        if c[0] in ('Property', 'Method', 'Signal'):
            mode = c[0].lower()
            continue
        if mode == 'property':
            name, ptype, access, note = c[0], unquote(c[1]), c[2], strip_md(c[3])
            if access not in ('read', 'readwrite'):
                raise ValueError('%s.%s: access %r' % (iface, name, access))
            if len(split_signature(ptype)) != 1:
                raise ValueError('%s.%s: property type %r' % (iface, name, ptype))
            rows.append((iface, 'property', name, '', ptype, '', '', access, '', note))
        elif mode == 'method':
            name = c[0]
            in_sig, out_sig = unquote(c[1]), unquote(c[2])
            left, _, right = c[3].partition('→')
            in_args, out_args = names(left), names(right)
            api, note = split_api(c[4])
            for sig, args in ((in_sig, in_args), (out_sig, out_args)):
                if len(split_signature(sig)) != len(args):
                    raise ValueError('%s.%s: %r does not fit %r' % (iface, name, args, sig))
            rows.append((iface, 'method', name, in_sig, out_sig,
                         ','.join(in_args), ','.join(out_args), '', api, note))
        elif mode == 'signal':
            name, sig, args = c[0], unquote(c[1]), names(c[2])
            api, note = split_api(c[3])
            if len(split_signature(sig)) != len(args):
                raise ValueError('%s.%s: %r does not fit %r' % (iface, name, args, sig))
            rows.append((iface, 'signal', name, '', sig, '', ','.join(args), '', api, note))
    return counts, rows


def check_counts(counts, rows):
    errors = []
    if 'total' not in counts or len(counts) != 11:
        errors.append('count table (5.1) not found or incomplete: %r' % counts)
    totals = [0, 0, 0]
    for iface, expected in sorted(counts.items()):
        if iface == 'total':
            continue
        got = tuple(sum(1 for r in rows if r[0] == iface and r[1] == k)
                    for k in ('method', 'property', 'signal'))
        if got != expected:
            errors.append('%s: parsed %r, count table says %r' % (iface, got, expected))
        totals = [a + b for a, b in zip(totals, got)]
    if tuple(totals) != counts.get('total'):
        errors.append('totals: parsed %r, count table says %r' % (tuple(totals), counts.get('total')))
    seen = set()
    for r in rows:
        key = r[:3]
        if key in seen:
            errors.append('duplicate member %s.%s (%s)' % (r[0], r[2], r[1]))
        seen.add(key)
    return errors


def main(argv):
    ref = argv[1] if len(argv) > 1 else DEFAULT_REF
    out = argv[2] if len(argv) > 2 else DEFAULT_OUT
    with open(ref, encoding='utf-8') as f:
        counts, rows = parse(f.read())
    errors = check_counts(counts, rows)
    if errors:
        for e in errors:
            print('gen_members_tsv: ' + e, file=sys.stderr)
        return 1
    for r in rows:
        for v in r:
            if '\t' in v or '\n' in v:
                print('gen_members_tsv: tab/newline in %r' % (r,), file=sys.stderr)
                return 1
    tmp = out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('# Generated by gen_members_tsv.py from reference/org.libvirt-api.md section 5.\n')
        f.write('# ' + '\t'.join(COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(v if v else '-' for v in r) + '\n')
    os.replace(tmp, out)
    n = lambda k: sum(1 for r in rows if r[1] == k)  # noqa: E731
    print('wrote %s: %d methods, %d properties, %d signals'
          % (out, n('method'), n('property'), n('signal')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
