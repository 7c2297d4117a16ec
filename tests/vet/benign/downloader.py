"""Assets fetched by an explicit setup helper, not by the env itself."""
import hashlib
import urllib.request

ASSET_URL = "https://example.org/assets/maze-v1.npz"


def fetch_assets(dest):
    data = urllib.request.urlopen(ASSET_URL).read()  # expect: GW-NET-002@low/function
    if hashlib.sha256(data).hexdigest() != "0" * 64:
        raise ValueError("asset digest mismatch")
    with open(dest, "wb") as f:
        f.write(data)
