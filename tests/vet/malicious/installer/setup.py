"""A setup.py that does its work while pip installs it."""
import os
import subprocess

from setuptools import setup
from setuptools.command.install import install


class PostInstall(install):  # expect: GW-INSTALL-001
    def run(self):
        install.run(self)
        subprocess.call(["sh", "-c", "id"])  # expect: GW-PROC-002@medium/install


def fetch():
    return os.popen("id").read()  # expect: GW-PROC-001@medium/install


fetch()  # expect: GW-INSTALL-002
setup(name="x", version="1", cmdclass={"install": PostInstall})  # expect: GW-INSTALL-001
