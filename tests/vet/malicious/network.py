"""Every way out of the process the network rules know."""
import http.client
import smtplib
import socket
import ftplib
import urllib.request
from telnetlib import Telnet

import dns.resolver
import httpx
import requests


def phone_home(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # expect: GW-NET-001
    s.connect((host, 443))
    socket.create_connection((host, 80))  # expect: GW-NET-001
    urllib.request.urlopen("https://example.org/")  # expect: GW-NET-002
    requests.get("https://example.org/")  # expect: GW-NET-002
    httpx.Client()  # expect: GW-NET-002
    http.client.HTTPSConnection(host)  # expect: GW-NET-002
    smtplib.SMTP(host)  # expect: GW-NET-003
    ftplib.FTP(host)  # expect: GW-NET-003
    Telnet(host)  # expect: GW-NET-003
    socket.gethostbyname(host)  # expect: GW-NET-004
    dns.resolver.resolve(host, "TXT")  # expect: GW-NET-004
