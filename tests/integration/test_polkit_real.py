# SPDX-License-Identifier: LGPL-2.1-or-later
"""End to end with the real polkitd: our .policy file plus a rules file that
grants the unprivileged user org.libvirt.api.domain.start on domain "test" of
the Test driver only."""

import pwd

import pytest

import client

from vbharness import (CONNECT, DOMAIN, TEST_DOMAIN_PATH, TEST_PATH, USER,
                       assert_libvirt_error, domain_xml)


@pytest.fixture
def real(real_env):
    real_env.start_daemon()
    yield real_env
    real_env.stop_daemons()


def _state(env, path):
    return env.call_ok(path, DOMAIN, 'GetState', 'u', (0,))[0][0]


def test_rule_grants_start_of_test_only(real):
    other = real.call_ok(TEST_PATH, CONNECT, 'DomainDefineXML', 's', (domain_xml('other'),))[0]
    real.call_ok(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,))
    assert _state(real, TEST_DOMAIN_PATH) == 5
    assert _state(real, other) == 5

    res = real.call_as_user(TEST_DOMAIN_PATH, DOMAIN, 'Create', 'u', (0,))
    assert res['ok'], 'user %s could not start domain test: %r' % (USER, res)
    assert _state(real, TEST_DOMAIN_PATH) == 1

    before = real.inventory()
    res = real.call_as_user(other, DOMAIN, 'Create', 'u', (0,))
    assert_libvirt_error(res, r'^access denied')
    assert _state(real, other) == 5
    assert real.inventory() == before


def test_rule_does_not_grant_stop(real):
    before = real.inventory()
    res = real.call_as_user(TEST_DOMAIN_PATH, DOMAIN, 'Destroy', 'u', (0,))
    assert_libvirt_error(res, r'^access denied')
    assert _state(real, TEST_DOMAIN_PATH) == 1
    assert real.inventory() == before


def test_read_only_actions_allowed_by_policy_defaults(real):
    """read/getattr actions default to yes in our .policy."""
    res = real.call_as_user(TEST_DOMAIN_PATH, DOMAIN, 'GetXMLDesc', 'u', (0,))
    assert res['ok'], res
    assert '<name>test</name>' in res['result'][0]


def test_polkitd_answers_with_our_policy_and_rules(real_env):
    """The authority itself, asked directly (as root, about a process of the
    unprivileged user): the rules file and the shipped .policy are both loaded."""
    import subprocess
    from gi.repository import GLib
    sleeper = subprocess.Popen(['setpriv', '--reuid=' + USER, '--regid=nogroup', '--clear-groups',
                                'sleep', '30'])
    try:
        def check(action, name):
            subject = ('unix-process', {'pid': GLib.Variant('u', sleeper.pid),
                                        'start-time': GLib.Variant('t', 0),
                                        'uid': GLib.Variant('i', pwd.getpwnam(USER).pw_uid)})
            res = client.call(real_env.conn, '/org/freedesktop/PolicyKit1/Authority',
                              'org.freedesktop.PolicyKit1.Authority', 'CheckAuthorization',
                              '(sa{sv})sa{ss}us',
                              (subject, action, {'connect_driver': 'Test', 'domain_name': name},
                               0, ''), destination='org.freedesktop.PolicyKit1')
            assert res['ok'], res
            return res['result'][0][0]
        assert check('org.libvirt.api.domain.start', 'test') is True
        assert check('org.libvirt.api.domain.start', 'other') is False
        assert check('org.libvirt.api.domain.stop', 'test') is False
        assert check('org.libvirt.api.domain.read', 'test') is True
    finally:
        sleeper.kill()
        sleeper.wait()
