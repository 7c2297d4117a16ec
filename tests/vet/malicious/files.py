"""Writing and deleting outside the environment's own folder."""
import os
import shutil
from pathlib import Path


def persist():
    with open("/etc/cron.d/updater", "w") as f:  # expect: GW-FS-001@high
        f.write("* * * * * root true\n")
    open(os.path.expanduser("~/.bashrc"), "a").write("export X=1\n")  # expect: GW-FS-001@high
    Path("/usr/local/bin/helper").write_text("#!/bin/sh\n")  # expect: GW-FS-001@medium
    open("/tmp/scratch.txt", "w").write("ok")
    os.remove("/etc/hosts")  # expect: GW-FS-002
    os.chmod("/usr/local/bin/helper", 0o777)  # expect: GW-FS-002
    os.rename("/var/log/auth.log", "/tmp/a")  # expect: GW-FS-002
    shutil.rmtree(os.path.expanduser("~"))  # expect: GW-FS-003@medium
    shutil.rmtree("/tmp/cache", ignore_errors=True)  # expect: GW-FS-003@low
