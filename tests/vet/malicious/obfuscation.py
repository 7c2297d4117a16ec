"""Code kept from being read: decoders feeding exec, blobs, tokens."""
import base64
import builtins
import codecs
import zlib

PAYLOAD = "aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ=="  # expect: GW-OBF-003
BLOB = "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFCegrrP+6SMvivIhH57kkcWxC+y1Vjv8Hm+TQn7LyP4pVeXNjkbcjtS3wnZNKlpNdncG+F2GkAJK1r2jQBvpyMvMyTX2zR9hImrhUziuGjQATTO6DSRqwEyBsbryPjv57vX3nytJNK+H9VILablLDZguhbtVtnKocmN6zXRm/LYODo/xhGOw5LK6KXA0dPBkrGj3APWwKz3GZvRb3qosyu3NK1FXQQ5N7krys09DCgc0"  # expect: GW-OBF-002
SHELLCODE = "47de636c0e806c957ba684d6431fb5ead7424d09e15d024c5848f23d1fa6f7361d7f618d1532e70e20e2a6668de7f47e8467e546d53ec8e2a1257bdb256c9b3e4fbb498146ef7030cbf9537252dcceadd764b6a32fbb09adeae109c4a997203975352b878b145c8a42d884cf4cfda72d8e1d5dd92589082d852a7122873ee805add58942167a385286195c679f9c6994e45b8ab1098012070961f37de436ddfd"  # expect: GW-OBF-002
TOKEN = "ghp_I14zGtSnovm14TUOizwd1iaeOV4qBkdfQ1y3"  # expect: GW-OBF-003@low


def unpack():
    exec(base64.b64decode(PAYLOAD))  # expect: GW-EXEC-001, GW-OBF-001@high
    code = zlib.decompress(base64.b64decode(PAYLOAD))
    eval(code)  # expect: GW-EXEC-001, GW-OBF-001
    exec(codecs.decode("cevag(1)", "rot13"))  # expect: GW-EXEC-001, GW-OBF-001
    exec(bytes.fromhex("7072696e74283129").decode())  # expect: GW-EXEC-001, GW-OBF-001
    exec("".join(chr(c) for c in [112, 114, 105, 110, 116, 40, 49, 41]))  # expect: GW-EXEC-001, GW-OBF-001
    getattr(builtins, "ex" + "ec")("print(1)")  # expect: GW-EXEC-001, GW-OBF-004@high
    fn = "\x65\x76\x61\x6c"  # expect: GW-OBF-004
    return fn
