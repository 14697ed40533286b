"""Verifies a delivery signed by Amicus with Python's httpsig (1.3), a verifier independent of
the Rust libraries: the signature must verify, and the same signature labelled `hs2019` (which
httpsig 1.3 refuses) must not, so this check can tell the two apart. Reads the JSON that
`cargo run --example signed_post` prints, on standard input."""
import json
import sys

from httpsig import HeaderVerifier

sample = json.load(sys.stdin)
headers = dict(sample["headers"])


def verifies(hdrs):
    try:
        return HeaderVerifier(
            headers=hdrs,
            secret=sample["public_key"].encode(),
            required_headers=["(request-target)", "host", "date", "digest"],
            method=sample["method"],
            path=sample["path"],
            host=sample["host"],
            sign_header="signature",
        ).verify()
    except Exception as e:  # httpsig raises on what it refuses
        print(f"refused: {e}", file=sys.stderr)
        return False


ok = verifies(headers)
relabelled = dict(headers)
relabelled["signature"] = headers["signature"].replace('algorithm="rsa-sha256"', 'algorithm="hs2019"')
refused = not verifies(relabelled)
print(f"httpsig: Amicus's signature {'verifies' if ok else 'DOES NOT verify'}; "
      f"the hs2019 label is {'refused' if refused else 'ACCEPTED'}")
print(f"{int(ok) + int(refused)} passed, {2 - int(ok) - int(refused)} failed")
sys.exit(0 if ok and refused else 1)
