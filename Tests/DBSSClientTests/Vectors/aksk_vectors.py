#!/usr/bin/env python3
"""Reference values for AKSKSignerTests, computed from dbss-api.md §5.2 with hashlib/hmac only.

Run: python3 Tests/DBSSClientTests/Vectors/aksk_vectors.py
Each vector prints the X-Sdk-Date, the canonical request (with | for newlines, as API Gateway
echoes it) and the Authorization header. The Swift test holds the printed values as constants.
"""
import hashlib
import hmac

AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretKey/with+chars=0123456789"
SECURITY_TOKEN = "sts-token-example-0001"
DATE = "20240501T100000Z"  # 2024-05-01 10:00:00 UTC
PROJECT = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def encode(text):
    """Percent-encode every byte outside A-Z a-z 0-9 - _ . ~ with upper-case hex."""
    return "".join(chr(b) if b in UNRESERVED else "%%%02X" % b for b in text.encode("utf-8"))


def canonical_uri(segments):
    """Segments are given decoded; encode each, join with /, add the trailing /."""
    uri = "/" + "/".join(encode(s) for s in segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs):
    """Keys sorted, values of one key sorted, each side encoded."""
    return "&".join("%s=%s" % (encode(k), encode(v)) for k, v in sorted(pairs))


def sign(method, segments, pairs, headers, body):
    signed = {name.lower(): value.strip() for name, value in headers.items()}
    names = sorted(signed)
    payload_hash = signed.get("x-sdk-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical = "\n".join([
        method.upper(),
        canonical_uri(segments),
        canonical_query(pairs),
        "".join("%s:%s\n" % (n, signed[n]) for n in names),
        ";".join(names),
        payload_hash,
    ])
    string_to_sign = "\n".join(["SDK-HMAC-SHA256", signed["x-sdk-date"],
                                hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    signature = hmac.new(SK.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (AK, ";".join(names), signature)
    return canonical, authorization


VECTORS = [
    (
        "GET with a query (list databases, v2 path)",
        "GET",
        ["v2", PROJECT, "audit", "5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6", "databases"],
        [("offset", "0"), ("limit", "100"), ("status", "ON")],
        {
            "Content-Type": "application/json",
            "Host": "dbss.cn-north-4.myhuaweicloud.com",
            "X-Project-Id": PROJECT,
            "X-Sdk-Date": DATE,
        },
        b"",
    ),
    (
        "POST with a JSON body and a security token (add database, v1 path, non-default port)",
        "POST",
        ["v1", PROJECT, "5f8d2a1c9b7e4d3fa6c0b1e2d3f4a5b6", "audit", "databases"],
        [],
        {
            "Content-Type": "application/json;charset=UTF-8",
            "Host": "127.0.0.1:8443",
            "X-Project-Id": PROJECT,
            "X-Sdk-Date": DATE,
            "X-Security-Token": SECURITY_TOKEN,
        },
        b'{"database":{"db_classification":"ECS","name":"pg 10.0.0.7","port":"5432"}}',
    ),
    (
        "GET whose path and query need percent-encoding",
        "GET",
        ["v1", "my project", "inst\u00fc:1@x", "databases"],
        [("b", "2"), ("a", "x/y"), ("a", "1 2"), ("c", "~ok")],
        {
            "Content-Type": "application/json",
            "Host": "dbss.example.com",
            "X-Project-Id": PROJECT,
            "X-Sdk-Date": DATE,
        },
        b"",
    ),
]

for title, method, segments, pairs, headers, body in VECTORS:
    canonical, authorization = sign(method, segments, pairs, headers, body)
    print("#", title)
    print("X-Sdk-Date:", DATE)
    print("canonical:", canonical.replace("\n", "|"))
    print("Authorization:", authorization)
    print()
