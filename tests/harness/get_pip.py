# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip in its virtual
environments (its download host is not reachable here). tests/harness/sanity puts it where
ansible-test caches that script, under a HOME of its own in .cache/.

ansible-test runs it as ``python get_pip.py [pip options] pip==X.Y [--no-setuptools] [--no-wheel]``
inside an empty virtual environment. Like get-pip.py, it installs pip there, then the packages
asked for: pip from Python's own ensurepip first, then the exact version from the package index.
"""
import subprocess
import sys


def main(argv):
    args = [a for a in argv if a not in ('--no-setuptools', '--no-wheel')]
    # ensurepip in a process of its own: in-process it points PIP_CONFIG_FILE at /dev/null, and the
    # machine's pip configuration (index, certificates) is needed for the second step.
    subprocess.run([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, '-m', 'pip', 'install', '-q'] + args, check=True)


if __name__ == '__main__':
    main(sys.argv[1:])
