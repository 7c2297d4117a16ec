#!/usr/bin/python3
"""Generate the labelled sanitize corpus: one JSON object a line.

Each record is {"set": "pos" | "unseen" | "trap" | "clean", "text": str, "spans":
[{"kind": str, "start": int, "end": int}]} with byte offsets into the
UTF-8 text. "pos" lines hold realistic entities of every kind in a
sentence; "trap" lines hold look-alikes that must not be flagged (UUIDs,
hex digests, version strings, timestamps, numeric columns, camelCase
identifiers, plain URLs and paths); "clean" lines are log-like prose;
"unseen" lines hold forms written after the engine was tuned on the
rest (scored apart, to show what a new corpus would find).
Every value is synthetic and the output is the same for the same seed.

    gen_corpus.py [--seed N] [--per-kind N] [OUT]
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import string
import sys
import uuid

B64 = string.ascii_letters + string.digits
FIRST = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
         "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert"]
LAST = ["smith", "jones", "garcia", "miller", "davis", "martinez", "lee",
        "walker", "young", "king", "wright", "lopez", "hill", "scott"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.io",
           "uni-example.edu", "example.co.uk", "example.de", "shop.example.fr"]


class Line:
    """A text built from pieces, keeping the byte offsets of entities."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.spans: list[dict] = []

    def add(self, text: str, kind: str | None = None,
            inner: tuple[int, int] | None = None) -> "Line":
        data = text.encode()
        if kind:
            s, e = inner if inner else (0, len(data))
            self.spans.append({"kind": kind, "start": self.size + s,
                               "end": self.size + e})
        self.parts.append(data)
        self.size += len(data)
        return self

    def record(self, which: str) -> dict:
        return {"set": which, "text": b"".join(self.parts).decode(),
                "spans": self.spans}


def rstr(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + rstr(rng, string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def email(rng: random.Random) -> str:
    f, l = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice([f, f"{f}.{l}", f"{f}_{l}{rng.randint(1, 99)}",
                        f"{f[0]}{l}", f"{f}+{rng.choice(['rl', 'news'])}"])
    return f"{local}@{rng.choice(DOMAINS)}"


def phone(rng: random.Random) -> str:
    d = lambda n: rstr(rng, string.digits, n)  # noqa: E731
    nz = lambda: str(rng.randint(2, 9))  # noqa: E731
    forms = [
        lambda: f"+1 {nz()}{d(2)} {nz()}{d(2)} {d(4)}",
        lambda: f"+1{nz()}{d(2)}{nz()}{d(2)}{d(4)}",
        lambda: f"+1 ({nz()}{d(2)}) {nz()}{d(2)}-{d(4)}",
        lambda: f"({nz()}{d(2)}) {nz()}{d(2)}-{d(4)}",
        lambda: f"{nz()}{d(2)}-{nz()}{d(2)}-{d(4)}",
        lambda: f"{nz()}{d(2)}.{nz()}{d(2)}.{d(4)}",
        lambda: f"+44 20 {d(4)} {d(4)}",
        lambda: f"+44 7700 {d(6)}",
        lambda: f"020 {d(4)} {d(4)}",
        lambda: f"07700 {d(6)}",
        lambda: f"+49 30 {d(8)}",
        lambda: f"+49 171 {d(7)}",
        lambda: f"030 {d(8)}",
        lambda: f"0171 {d(7)}",
        lambda: f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"01 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"06.{d(2)}.{d(2)}.{d(2)}.{d(2)}",
        lambda: f"1-{nz()}{d(2)}-{nz()}{d(2)}-{d(4)}",
        lambda: f"+44 (0)20 {d(4)} {d(4)}",
        lambda: f"+1-{nz()}{d(2)}-{nz()}{d(2)}-{d(4)}",
        lambda: f"0049 30 {d(8)}",
    ]
    return rng.choice(forms)()


def card(rng: random.Random) -> str:
    kind = rng.choice(["visa", "mc", "mc2", "amex", "disc", "jcb"])
    if kind == "amex":
        n = luhn_complete(rng, rng.choice(["34", "37"]), 15)
        groups = [n[:4], n[4:10], n[10:]]
    else:
        prefix = {"visa": "4", "mc": str(rng.randint(51, 55)),
                  "mc2": str(rng.randint(2221, 2720)), "disc": "6011",
                  "jcb": str(rng.randint(3528, 3589))}[kind]
        n = luhn_complete(rng, prefix, 16)
        groups = [n[i:i + 4] for i in range(0, 16, 4)]
    sep = rng.choice(["", " ", "-"])
    return sep.join(groups)


IBAN_BBAN = {  # country: (total length, BBAN layout: a letter, n digit)
    "DE": "nnnnnnnnnnnnnnnnnn", "GB": "aaaannnnnnnnnnnnnn",
    "FR": "nnnnnnnnnnnnnnnnnnnnnnn", "NL": "aaaannnnnnnnnn",
    "ES": "nnnnnnnnnnnnnnnnnnnn", "IT": "annnnnnnnnnnnnnnnnnnnnn",
    "BE": "nnnnnnnnnnnn", "CH": "nnnnnnnnnnnnnnnnn",
}


def iban(rng: random.Random) -> str:
    cc = rng.choice(sorted(IBAN_BBAN))
    bban = "".join(rng.choice(string.ascii_uppercase) if c == "a"
                   else rng.choice(string.digits) for c in IBAN_BBAN[cc])
    num = "".join(str(int(c, 36)) for c in bban + cc + "00")
    check = 98 - int(num) % 97
    full = f"{cc}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(full[i:i + 4] for i in range(0, len(full), 4))
    return full


def ssn_parts(rng: random.Random) -> tuple[int, int, int]:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return area, rng.randint(1, 99), rng.randint(1, 9999)


def ipv4(rng: random.Random) -> str:
    return rng.choice([
        lambda: f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        lambda: f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    ])()


def ipv6(rng: random.Random) -> str:
    h = lambda: format(rng.randint(0, 0xFFFF), "x")  # noqa: E731
    return rng.choice([
        lambda: f"2001:db8::{h()}",
        lambda: ":".join(format(rng.randint(0, 0xFFFF), "04x") for _ in range(8)),
        lambda: f"fe80::{h()}:{h()}:{h()}:{h()}",
        lambda: f"2001:db8:{h()}:{h()}::{h()}",
        lambda: f"::ffff:192.0.2.{rng.randint(1, 254)}",
        lambda: "::1",
    ])()


def mac(rng: random.Random) -> str:
    b = [rng.randint(0, 255) for _ in range(6)]
    form = rng.randint(0, 3)
    if form == 0:
        return ":".join(f"{x:02x}" for x in b)
    if form == 1:
        return ":".join(f"{x:02X}" for x in b)
    if form == 2:
        return "-".join(f"{x:02X}" for x in b)
    hx = "".join(f"{x:02x}" for x in b)
    if not any(c in "abcdef" for c in hx):
        hx = "a" + hx[1:]
    return f"{hx[0:4]}.{hx[4:8]}.{hx[8:12]}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    hdr = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    body = {"sub": str(rng.randint(1000, 99999)), "iat": rng.randint(1_600_000_000, 1_800_000_000)}
    sig = bytes(rng.randint(0, 255) for _ in range(32))
    return ".".join([b64url(json.dumps(hdr).encode()),
                     b64url(json.dumps(body).encode()), b64url(sig)])


def mixed(rng: random.Random, n: int, alphabet: str = B64) -> str:
    """Random text of alphabet holding an upper, a lower and a digit."""
    while True:
        s = rstr(rng, alphabet, n)
        if (any(c.isupper() for c in s) and any(c.islower() for c in s)
                and any(c.isdigit() for c in s)):
            return s


def token(rng: random.Random) -> tuple[str, str]:
    """A service token and a context word that fits it."""
    up = string.ascii_uppercase + string.digits
    forms = [
        ("aws_access_key_id=", lambda: rng.choice(["AKIA", "ASIA"]) + rstr(rng, up, 16)),
        ("GITHUB_TOKEN=", lambda: rng.choice(["ghp_", "gho_", "ghs_"]) + rstr(rng, B64, 36)),
        ("token: ", lambda: "github_pat_" + rstr(rng, B64, 22) + "_" + rstr(rng, B64, 59)),
        ("gitlab ", lambda: "glpat-" + rstr(rng, B64 + "-_", 20)),
        ("slack bot ", lambda: f"xoxb-{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-" + rstr(rng, B64, 24)),
        ("webhook ", lambda: "https://hooks.slack.com/services/T" + rstr(rng, up, 8) + "/B" + rstr(rng, up, 8) + "/" + rstr(rng, B64, 24)),
        ("notify ", lambda: f"https://discord.com/api/webhooks/{rng.randint(10**17, 10**18)}/" + rstr(rng, B64 + "_-", 68)),
        ("stripe ", lambda: rng.choice(["sk_live_", "rk_live_"]) + rstr(rng, B64, 24)),
        ("maps key ", lambda: "AIza" + rstr(rng, B64 + "_-", 35)),
        ("OPENAI_API_KEY=", lambda: "sk-proj-" + mixed(rng, 48)),
        ("npm ", lambda: "npm_" + rstr(rng, B64, 36)),
        ("aws_secret_access_key = ", lambda: mixed(rng, 40, B64 + "/+")),
    ]
    ctx, make = rng.choice(forms)
    return ctx, make()


def pem(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "", "OPENSSH "])
    nl = rng.choice(["\\n", " "])
    body = nl.join(base64.b64encode(bytes(rng.randint(0, 255) for _ in range(48))).decode()
                   for _ in range(rng.randint(2, 5)))
    return (f"-----BEGIN {kind}PRIVATE KEY-----{nl}{body}{nl}"
            f"-----END {kind}PRIVATE KEY-----")


LEADS = ["user", "customer", "player", "agent", "operator", "tenant"]


def positive(rng: random.Random, kind: str) -> Line:
    ln = Line()
    who = rng.choice(LEADS)
    if kind == "email":
        ln.add(rng.choice([f"{who} contact: ", f"mailto:", f"send to <", f'"email": "',
                           f"reply from "]))
        ln.add(email(rng), "email").add(rng.choice(["> ok", "\" }", " today", ".", ""]))
    elif kind == "phone":
        ln.add(rng.choice([f"{who} phone ", "call ", "tel: ", "mobile=", "reach me at "]))
        ln.add(phone(rng), "phone").add(rng.choice([" after 5pm", ".", "", ", thanks"]))
    elif kind == "card":
        ln.add(rng.choice(["paid with card ", "cc=", "card number: ", "PAN "]))
        ln.add(card(rng), "card").add(rng.choice([" exp 12/27", "", " (visa)", "."]))
    elif kind == "iban":
        ln.add(rng.choice(["IBAN ", "transfer to ", "account: ", "iban="]))
        ln.add(iban(rng), "iban").add(rng.choice([" EUR", "", " ref 42", "."]))
    elif kind == "ssn":
        a, g, s = ssn_parts(rng)
        if rng.random() < 0.2:
            ln.add(rng.choice(["SSN: ", "ssn=", "social security "]))
            ln.add(f"{a:03d}{g:02d}{s:04d}", "ssn")
        else:
            sep = rng.choice(["-", "-", " "])
            ln.add(rng.choice(["SSN ", f"{who} ", "tax id "]))
            ln.add(f"{a:03d}{sep}{g:02d}{sep}{s:04d}", "ssn")
        ln.add(rng.choice([" on file", "", "."]))
    elif kind == "ipv4":
        ln.add(rng.choice(["client ", "connection from ", "ip=", "remote_addr: ", "host "]))
        ln.add(ipv4(rng), "ipv4").add(rng.choice([" refused", f":{rng.randint(1, 65535)}",
                                                   ".", " port 22", ""]))
    elif kind == "ipv6":
        ln.add(rng.choice(["client ", "from [", "ip6=", "addr "]))
        ln.add(ipv6(rng), "ipv6").add(rng.choice(["] connected", " up", "", "."]))
    elif kind == "mac":
        ln.add(rng.choice(["device ", "hwaddr ", "mac=", "ether "]))
        ln.add(mac(rng), "mac").add(rng.choice([" joined", "", " brd ff"]))
    elif kind == "url_credentials":
        user, pw = rng.choice(FIRST), mixed(rng, rng.randint(6, 14))
        scheme = rng.choice(["https", "postgres", "redis", "ftp", "mongodb"])
        host = rng.choice(["db.example.com", "cache.internal", "files.example.org"])
        ln.add(rng.choice(["connecting to ", "DATABASE_URL=", "url: "]))
        head = f"{scheme}://"
        cred = f"{user}:{pw}"
        ln.add(f"{head}{cred}@{host}/app", "url_credentials",
               (len(head), len(head) + len(cred)))
        ln.add(rng.choice([" ok", "", " (retry 2)"]))
    elif kind == "token":
        ctx, tok = token(rng)
        ln.add(ctx).add(tok, "token").add(rng.choice(["", " loaded", " # rotate"]))
    elif kind == "jwt":
        ln.add(rng.choice(["Authorization: Bearer ", "token=", "jwt "]))
        ln.add(jwt(rng), "jwt").add(rng.choice(["", " expired"]))
    elif kind == "pem_private_key":
        ln.add(rng.choice(['"key": "', "private key ", "cert="]))
        ln.add(pem(rng), "pem_private_key").add(rng.choice(['"', "", " end"]))
    elif kind == "high_entropy":
        ln.add(rng.choice(["session=", "X-Auth: ", "password: ", "cookie sid=",
                           "nonce "]))
        ln.add(mixed(rng, rng.randint(24, 64), B64 + "+/"), "high_entropy")
        ln.add(rng.choice(["", " set", ";"]))
    return ln


CAMEL = ["getUserAccountSettingsHandler", "parseHttp2FrameHeaderV3",
         "XMLHttpRequestFactory2", "buildRLPolicyNetworkV2Layer",
         "computeDiscountedReturnsGAE", "AsyncVectorEnvWorker", "MaxAndSkipEnv4",
         "TransformerEncoderLayer12", "ReplayBufferCapacity1000000",
         "normalizeObservationSpace", "Conv2dBatchNormReLU3x3",
         "useCallbackRefV2ForPolicyNet", "ResNet50BackboneFeatures"]


def trap(rng: random.Random) -> Line:
    ln = Line()
    t = rng.randrange(9)
    if t == 0:
        ln.add(rng.choice(["request id ", "run_id=", "uuid: ", "trace "]))
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        ln.add(u.upper() if rng.random() < 0.3 else u)
    elif t == 1:
        data = rstr(rng, B64, 20).encode()
        h = rng.choice([hashlib.md5, hashlib.sha1, hashlib.sha256])(data).hexdigest()
        ln.add(rng.choice(["sha256 ", "commit ", "md5=", "digest: ", "checksum "]))
        ln.add(h.upper() if rng.random() < 0.2 else h)
    elif t == 2:
        v = ".".join(str(rng.randint(0, 20)) for _ in range(rng.choice([3, 4, 4])))
        ln.add(rng.choice([f"version {v}", f"v{v}", f"numpy=={v}", f"release {v}",
                           f"gymnasium>={v}", f"build {v}-rc1", f"firmware {v}",
                           f"ver: {v}"]))
    elif t == 3:
        y, mo, d = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        ln.add(rng.choice([
            f"{y}-{mo:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z",
            f"{y}-{mo:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}.{rng.randint(0, 999):03d}",
            f"{d:02d}/{mo:02d}/{y}", f"{d:02d}.{mo:02d}.{y}", f"{mo:02d}-{d:02d}-{y}",
            f"{hh:02d}:{mm:02d}:{ss:02d}", f"ts={rng.randint(1_500_000_000, 1_800_000_000)}",
            f"epoch_ms {rng.randint(1_500_000_000_000, 1_800_000_000_000)}",
        ]))
        ln.add(rng.choice([" INFO step done", "", " ok"]))
    elif t == 4:
        cols = [str(rng.randint(0, 99999)), f"{rng.random():.4f}",
                str(rng.randint(0, 9)), f"{rng.uniform(-5, 5):.3f}",
                str(rng.randint(10**6, 10**8)), f"{rng.randint(0, 999):03d}"]
        rng.shuffle(cols)
        sep = rng.choice([" ", ",", "\t", " | "])
        ln.add(sep.join(cols))
    elif t == 5:
        ln.add(rng.choice(["calling ", "class ", "def ", "fn "]))
        ln.add(rng.choice(CAMEL)).add(rng.choice(["()", "", " failed", ".step"]))
    elif t == 6:
        ln.add(rng.choice([
            "see https://github.com/Farama-Foundation/Gymnasium/blob/main/README.md",
            "loaded /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
            "checkpoint saved to /tmp/runs/ppo_cartpole_v1/step_0042000.pt",
            "GET /api/v2/episodes?limit=50&offset=100 HTTP/1.1",
            "std::vector<int>::iterator it = v.begin();",
            "ratio 3:2 and 16:9 displays, mix 1:1:2",
        ]))
    elif t == 7:
        ln.add(rng.choice(["semver ", "tag ", "pkg "]))
        ln.add(f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
               f"-{rng.choice(['alpha', 'beta', 'rc'])}.{rng.randint(1, 9)}")
    else:
        ln.add(rng.choice(["git ", "short sha ", "object "]))
        ln.add(rstr(rng, "0123456789abcdef", rng.choice([7, 8, 12, 40])))
    return ln


PROSE = ["the agent reached the goal after", "episode finished with return",
         "worker started on cpu", "resetting environment with seed",
         "observation clipped within tolerance at step",
         "policy loss decreased to", "learning rate schedule set to",
         "evaluation over", "the reviewer approved the record for",
         "checkpoint written in", "replay buffer holds"]


def clean(rng: random.Random) -> Line:
    ln = Line()
    lvl = rng.choice(["INFO", "DEBUG", "WARN"])
    ln.add(f"{lvl} {rng.choice(PROSE)} {rng.randint(1, 5000)} "
           f"{rng.choice(['steps', 'episodes', 'ms', 'seconds'])}")
    if rng.random() < 0.5:
        ln.add(f" (reward={rng.uniform(-10, 200):.2f}, loss={rng.random():.4f})")
    if rng.random() < 0.3:
        ln.add(" — naïve café run, ok")
    return ln


def grouped(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def unseen(rng: random.Random) -> Line:
    """Forms written after the engine was tuned: scored, not asserted."""
    ln = Line()
    d = lambda n: rstr(rng, string.digits, n)  # noqa: E731
    a, g, s = ssn_parts(rng)
    forms = [
        ("email", lambda: f"{rng.choice(FIRST).title()}.{rng.choice(LAST).upper()}@EXAMPLE.COM"),
        ("email", lambda: f"{rng.choice(FIRST)}@{rng.choice(LAST)}.example.travel"),
        ("phone", lambda: f"+1 415.555.{d(4)}"),
        ("phone", lambda: f"(0)20 {d(4)} {d(4)}"),
        ("phone", lambda: f"+353 1 {d(3)} {d(4)}"),
        ("phone", lambda: f"0{rng.randint(1, 9)}{d(2)}-{d(7)}"),
        ("card", lambda: luhn_complete(rng, "4", 19)),
        ("card", lambda: grouped(luhn_complete(rng, f"5{rng.randint(1, 5)}", 16))),
        ("iban", lambda: iban(rng).lower()),
        ("ssn", lambda: f"{a:03d}.{g:02d}.{s:04d}"),
        ("ipv4", lambda: f"{ipv4(rng)}/24"),
        ("ipv6", lambda: f"fe80::{rng.randint(1, 0xffff):x}%eth0"),
        ("mac", lambda: "".join(f"{rng.randint(0, 255):02x}" for _ in range(6))),
        ("token", lambda: "xoxe.xoxp-1-" + rstr(rng, B64, 40)),
        ("token", lambda: "glptt-" + rstr(rng, B64, 40)),
        ("high_entropy", lambda: rstr(rng, string.ascii_letters + string.digits, 20)),
    ]
    kind, make = rng.choice(forms)
    ln.add(rng.choice(["value: ", "got ", "field="])).add(make(), kind)
    ln.add(rng.choice(["", " ok", "."]))
    return ln


KINDS = ["email", "phone", "card", "iban", "ssn", "ipv4", "ipv6", "mac",
         "url_credentials", "token", "jwt", "pem_private_key", "high_entropy"]


def generate(seed: int, per_kind: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for kind in KINDS:
        for _ in range(per_kind):
            out.append(positive(rng, kind).record("pos"))
    for _ in range(per_kind * 6):
        out.append(trap(rng).record("trap"))
    for _ in range(per_kind * 3):
        out.append(clean(rng).record("clean"))
    for _ in range(per_kind * 2):
        out.append(unseen(rng).record("unseen"))
    # A few lines carry two entities, to check they stay apart.
    for _ in range(per_kind):
        a, b = positive(rng, rng.choice(KINDS)), positive(rng, rng.choice(KINDS))
        ln = Line()
        for part, sp in ((a, a.spans), (b, b.spans)):
            base = ln.size
            ln.parts.extend(part.parts)
            ln.size += part.size
            ln.spans.extend({**s, "start": s["start"] + base, "end": s["end"] + base}
                            for s in sp)
            ln.add(" and ")
        out.append(ln.record("pos"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--per-kind", type=int, default=200)
    ap.add_argument("out", nargs="?", default="-")
    args = ap.parse_args()
    recs = generate(args.seed, args.per_kind)
    f = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    with f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
