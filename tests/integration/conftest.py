# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import vbharness  # noqa: E402


@pytest.fixture(scope='module')
def mock_env():
    env = vbharness.Env(polkit='mock')
    yield env
    env.close()


@pytest.fixture
def vb(mock_env):
    """A freshly started virtbusd (pristine test:///default state) on a bus whose
    mock polkit allows everything until the test changes its table."""
    mock_env.set_polkit({'default': 'allow'})
    mock_env.polkit_queries(clear=True)
    mock_env.start_daemon()
    yield mock_env
    mock_env.stop_daemons()


@pytest.fixture(scope='module')
def real_env():
    env = vbharness.Env(polkit='real')
    yield env
    env.close()
