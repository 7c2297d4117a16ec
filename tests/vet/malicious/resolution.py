"""Dangerous calls behind aliases, lookups by name and built strings."""
import importlib
import os as o
import subprocess as sp
import sys
from os import system as run_cmd

shell = o.system
spawn = sp.Popen


def indirect():
    shell("id")  # expect: GW-PROC-001
    spawn(["id"])  # expect: GW-PROC-002
    run_cmd("id")  # expect: GW-PROC-001
    __import__("os").system("id")  # expect: GW-PROC-001, GW-OBF-004@medium
    importlib.import_module("subprocess").call(["id"])  # expect: GW-PROC-002, GW-OBF-004
    globals()["eval"]("1")  # expect: GW-EXEC-001, GW-OBF-004
    sys.modules["os"].system("id")  # expect: GW-PROC-001, GW-OBF-004
    name = "sys" + "tem"  # expect: GW-OBF-004
    getattr(o, name)("id")  # expect: GW-PROC-001, GW-OBF-004@high
    getattr(o, "%s%s" % ("sys", "tem"))("id")  # expect: GW-PROC-001, GW-OBF-004
    getattr(o, f"{'sys'}tem")("id")  # expect: GW-PROC-001, GW-OBF-004
    getattr(o, "".join(["sy", "stem"]))("id")  # expect: GW-PROC-001, GW-OBF-004
    getattr(o, chr(115) + "ystem")("id")  # expect: GW-PROC-001, GW-OBF-004
    local = o.popen
    local("id")  # expect: GW-PROC-001
