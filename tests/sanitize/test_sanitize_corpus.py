"""The sanitize engine on the generated labelled corpus, through the CLI.

Floors per kind that the engine meets on this corpus with a margin, and
no finding at all on the trap and clean sets. Also the JSON-lines path
policy and the reversible token round trip of `gymwarden sanitize` and
`gymwarden detokenize`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_corpus  # noqa: E402
import score  # noqa: E402

BINARY = score.default_binary()
FLOOR = {"precision": 0.95, "recall": 0.95}

pytestmark = pytest.mark.skipif(not os.path.exists(BINARY),
                                reason=f"{BINARY} is not built")


@pytest.fixture(scope="module")
def result() -> dict:
    records = gen_corpus.generate(20261203, 200)
    found = score.detect(BINARY, [r["text"] for r in records])
    return score.score(records, found)


@pytest.mark.parametrize("kind", gen_corpus.KINDS)
def test_precision_and_recall_floor(result: dict, kind: str) -> None:
    c = result["kinds"][kind]
    precision = c["tp"] / (c["tp"] + c["fp"])
    recall = c["tp"] / (c["tp"] + c["fn"])
    assert precision >= FLOOR["precision"], (kind, c)
    assert recall >= FLOOR["recall"], (kind, c)


@pytest.mark.parametrize("which", ["trap", "clean"])
def test_no_finding_on_traps_or_clean_text(result: dict, which: str) -> None:
    assert result["sets"][which]["hits"] == []


def test_corpus_is_deterministic() -> None:
    assert gen_corpus.generate(7, 5) == gen_corpus.generate(7, 5)


def run(args: list[str], data: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, *args], input=data.encode(),
                          capture_output=True, check=False, **kw)


def test_json_lines_by_path_and_plain_text(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(bytes(range(32)))
    key.chmod(0o600)
    policy = tmp_path / "policy.toml"
    policy.write_text('default = "label"\n'
                      '[fields]\n"info.player.email" = "hash"\n'
                      '"info.note" = "keep"\n'
                      '[kinds]\nphone = "mask:#:4:end"\n')
    lines = [
        {"info": {"player": {"email": "bob@example.com"},
                  "note": "bob@example.com", "contact": "x@example.org",
                  "phones": ["(212) 555-0134"], "n": 3}},
        "not json: card 4111 1111 1111 1111",
    ]
    data = json.dumps(lines[0]) + "\n" + lines[1] + "\n"
    p = run(["sanitize", "--policy", str(policy), "--key", str(key),
             "--format", "json"], data)
    assert p.returncode == 1, p.stderr
    out = p.stdout.decode().splitlines()
    doc = json.loads(out[0])
    assert doc["info"]["player"]["email"].startswith("tok_")
    assert doc["info"]["note"] == "bob@example.com"
    assert doc["info"]["contact"] == "<EMAIL>"
    assert doc["info"]["phones"] == ["(212) 555-####"]
    assert doc["info"]["n"] == 3
    assert out[1] == "not json: card <CARD>"
    summary = json.loads(p.stderr.decode())
    assert summary["lines"] == 2 and summary["json_lines"] == 1
    assert summary["by_kind"]["email"] == 3
    assert summary["by_kind"]["card"] == 1


def test_tokenize_then_detokenize_and_tamper(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("ab" * 32 + "\n")
    key.chmod(0o600)
    text = "mail bob@example.com ssn 123-45-6789\nnothing here\n"
    p = run(["sanitize", "--default", "tokenize", "--key", str(key)], text)
    assert p.returncode == 1
    tokens = p.stdout.decode()
    assert "bob@" not in tokens and "gwt_" in tokens
    back = run(["detokenize", "--key", str(key)], tokens)
    assert back.returncode == 0
    assert back.stdout.decode() == text
    i = tokens.index("gwt_") + 12
    bad = tokens[:i] + ("A" if tokens[i] != "A" else "B") + tokens[i + 1:]
    refused = run(["detokenize", "--key", str(key)], bad)
    assert refused.returncode == 1
    assert "<stdin>:1:" in refused.stderr.decode()
    assert "fails authentication" in refused.stderr.decode()


def test_detokenize_keeps_json_lines_json(tmp_path: Path) -> None:
    # A tokenized value that held quotes and commas must come back as one
    # JSON string, never as new keys of the object around it.
    key = tmp_path / "key"
    key.write_text("cd" * 32 + "\n")
    key.chmod(0o600)
    policy = tmp_path / "policy.toml"
    policy.write_text("[[rule]]\nid = \"secret\"\npattern = 'SECRET\\S+'\n")
    line = json.dumps({"a": 'SECRET","admin":true,"z":"x', "b": 1}) + "\n"
    p = run(["sanitize", "--default", "tokenize", "--key", str(key),
             "--policy", str(policy)], line)
    assert "gwt_" in p.stdout.decode() and "admin" not in p.stdout.decode()
    back = run(["detokenize", "--key", str(key)], p.stdout.decode())
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout) == json.loads(line)


def test_key_open_to_others_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(bytes(32))
    key.chmod(0o644)
    p = run(["sanitize", "--default", "hash", "--key", str(key)], "a@b.io\n")
    assert p.returncode == 2
    assert "chmod 600" in p.stderr.decode()


def test_nothing_found_exits_zero() -> None:
    p = run(["sanitize"], '{"msg": "episode finished in 12 steps"}\n')
    assert p.returncode == 0
    assert json.loads(p.stdout.decode()) == {"msg": "episode finished in 12 steps"}
