"""Reading other people's secrets and the host's identity."""
import getpass
import os
import platform
import socket
import uuid

import keyring


def harvest():
    key = open(os.path.expanduser("~/.ssh/id_rsa")).read()  # expect: GW-SECRET-001@high
    creds = open("/root/.aws/credentials").read()  # expect: GW-SECRET-001
    shadow = open("/etc/shadow").read()  # expect: GW-SECRET-001
    netrc = os.path.join(os.environ.get("HOME", ""), ".netrc")  # expect: GW-SECRET-001
    keyring.get_password("system", "user")  # expect: GW-SECRET-001
    cookies = "~/.config/google-chrome/Default/Cookies"  # expect: GW-SECRET-001
    everything = dict(os.environ)  # expect: GW-SECRET-002
    for name in os.environ:  # expect: GW-SECRET-002
        print(name)
    token = os.getenv("GITHUB_TOKEN")  # expect: GW-SECRET-003
    aws = os.environ["AWS_SECRET_ACCESS_KEY"]  # expect: GW-SECRET-003
    who = getpass.getuser()  # expect: GW-SECRET-004
    where = socket.gethostname()  # expect: GW-SECRET-004
    node = platform.node()  # expect: GW-SECRET-004
    mac = uuid.getnode()  # expect: GW-SECRET-004
    return key, creds, shadow, netrc, cookies, everything, token, aws, who, where, node, mac
