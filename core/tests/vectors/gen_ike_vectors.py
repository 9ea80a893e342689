#!/usr/bin/env python3
"""Known-answer vectors for test_ike_crypto.c, computed independently of
ikelab's C code with the Python standard library only (hashlib, hmac, pow).

The MODP primes are rebuilt from their defining formulas (RFC 2409 §6.1/6.2,
RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * pi) + c)) with
pi computed here by Machin's formula, and checked to be safe primes, so they
do not come from OpenSSL either. All inputs are derived from fixed labels.

Usage: python3 gen_ike_vectors.py > ike_vectors.inc
"""
import hashlib
import hmac
import random

HASHES = {1: "md5", 2: "sha1", 4: "sha256", 5: "sha384", 6: "sha512"}

# (group, bits, offset c) from RFC 2409 §6 and RFC 3526 §2-5.
GROUPS = [(1, 768, 149686), (2, 1024, 129093), (5, 1536, 741804),
          (14, 2048, 124476), (15, 3072, 1690314), (16, 4096, 240904)]


def arctan_inv(x, one):
    """arctan(1/x) * one, by its Taylor series in integers."""
    total = term = one // x
    n, sign, x2 = 1, -1, x * x
    while term:
        term //= x2
        n += 2
        total += sign * (term // n)
        sign = -sign
    return total


def pi_times_2_pow(k):
    """floor(pi * 2^k), with guard bits."""
    guard = 64
    one = 1 << (k + guard)
    pi = 16 * arctan_inv(5, one) - 4 * arctan_inv(239, one)
    return pi >> guard


def is_probable_prime(n, rounds=16):
    rng = random.Random(n)  # deterministic witnesses
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 2)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def modp_prime(bits, c):
    p = (1 << bits) - (1 << (bits - 64)) - 1 + \
        (1 << 64) * (pi_times_2_pow(bits - 130) + c)
    assert p.bit_length() == bits
    assert is_probable_prime(p) and is_probable_prime((p - 1) // 2), bits
    assert pow(2, (p - 1) // 2, p) == 1  # g = 2 generates the order-q subgroup
    return p


def data(label, n):
    """n deterministic bytes named by label (SHA-256 in counter mode)."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s/%d" % (label.encode(), i)).digest()
        i += 1
    return out[:n]


def prf(alg, key, *pieces):
    return hmac.new(key, b"".join(pieces), HASHES[alg]).digest()


def hsh(alg, *pieces):
    return hashlib.new(HASHES[alg], b"".join(pieces)).digest()


def c_hex(b):
    return '"%s"' % b.hex()


class Raw(str):
    """A C expression printed as is."""


def emit_struct(fields):
    print("  {")
    for k, v in fields:
        if isinstance(v, Raw):
            pass
        elif isinstance(v, bytes):
            v = c_hex(v)
        elif isinstance(v, str):
            v = '"%s"' % v
        print("    .%s = %s," % (k, v))
    print("  },")


# ---- hash and prf ----
def hash_vectors():
    print("static const struct hash_vec hash_vecs[] = {")
    pieces = [b"abc", b"", data("hash-piece", 100)]
    for alg in HASHES:
        for key in (b"", b"key", data("long-hmac-key", 200)):
            emit_struct([
                ("alg", alg), ("p0", pieces[0]), ("p1", pieces[1]),
                ("p2", pieces[2]), ("digest", hsh(alg, *pieces)),
                ("key", key), ("mac", prf(alg, key, *pieces))])
    print("};\n")


# ---- Diffie-Hellman ----
def dh_vectors():
    primes = {}
    print("static const struct dh_vec dh_vecs[] = {")
    for group, bits, c in GROUPS:
        p = modp_prime(bits, c)
        primes[group] = p
        n = bits // 8
        xa = data("dh-a-%d" % group, n)
        xb = data("dh-b-%d" % group, 32)  # a short exponent is valid too
        xa = bytes([xa[0] & 0x7f]) + xa[1:]  # keep x < p-1
        ya = pow(2, int.from_bytes(xa, "big"), p)
        yb = pow(2, int.from_bytes(xb, "big"), p)
        shared = pow(yb, int.from_bytes(xa, "big"), p)
        assert shared == pow(ya, int.from_bytes(xb, "big"), p)
        emit_struct([
            ("group", group), ("len", n), ("prime", p.to_bytes(n, "big")),
            ("priv_a", xa), ("pub_a", ya.to_bytes(n, "big")),
            ("priv_b", xb), ("pub_b", yb.to_bytes(n, "big")),
            ("shared", shared.to_bytes(n, "big"))])
    print("};\n")
    return primes


# ---- Phase 1 / Phase 2 derivations ----
KEYLEN = {(1, 0): 8, (5, 0): 24, (7, 0): 16, (7, 128): 16, (7, 192): 24, (7, 256): 32}
BLOCK = {1: 8, 5: 8, 7: 16}


def keyext(alg, skeyid_e, keylen):
    """RFC 2409 Appendix B."""
    if keylen <= len(skeyid_e):
        return skeyid_e[:keylen]
    ka, kn = b"", b"\x00"
    while len(ka) < keylen:
        kn = prf(alg, skeyid_e, kn)
        ka += kn
    return ka[:keylen]


def keymat(alg, skeyid_d, gxy, proto, spi, ni, nr, n):
    """RFC 2409 §5.5."""
    out, kn = b"", b""
    while len(out) < n:
        kn = prf(alg, skeyid_d, kn, gxy, bytes([proto]), spi, ni, nr)
        out += kn
    return out[:n]


def phase1_vectors(primes):
    cases = [("md5-3des", 1, 5, 0), ("sha1-aes256", 2, 7, 256),
             ("sha1-aes128", 2, 7, 0), ("md5-des", 1, 1, 0),
             ("sha256-aes192", 4, 7, 192), ("sha512-aes256", 6, 7, 256)]
    p = primes[2]
    print("static const struct p1_vec p1_vecs[] = {")
    for name, h, e, kl in cases:
        xi = int.from_bytes(data(name + "/xi", 32), "big")
        xr = int.from_bytes(data(name + "/xr", 32), "big")
        gxi = pow(2, xi, p).to_bytes(128, "big")
        gxr = pow(2, xr, p).to_bytes(128, "big")
        gxy = pow(pow(2, xr, p), xi, p).to_bytes(128, "big")
        psk = b"secret-" + name.encode()
        ni, nr = data(name + "/ni", 16), data(name + "/nr", 20)
        cki, ckr = data(name + "/cky-i", 8), data(name + "/cky-r", 8)
        sai, idii, idir = data(name + "/sai", 52), data(name + "/idii", 8), data(name + "/idir", 8)
        skeyid = prf(h, psk, ni, nr)
        d = prf(h, skeyid, gxy, cki, ckr, b"\x00")
        a = prf(h, skeyid, d, gxy, cki, ckr, b"\x01")
        ee = prf(h, skeyid, a, gxy, cki, ckr, b"\x02")
        key = keyext(h, ee, KEYLEN[(e, kl)])
        iv = hsh(h, gxi, gxr)[:BLOCK[e]]
        hash_i = prf(h, skeyid, gxi, gxr, cki, ckr, sai, idii)
        hash_r = prf(h, skeyid, gxr, gxi, ckr, cki, sai, idir)
        msgid = int.from_bytes(data(name + "/msgid", 4), "big")
        last = data(name + "/last-block", BLOCK[e])
        p2iv = hsh(h, last, msgid.to_bytes(4, "big"))[:BLOCK[e]]
        mid = msgid.to_bytes(4, "big")
        rest1, rest2 = data(name + "/qm-rest1", 120), data(name + "/qm-rest2", 96)
        qni, qnr = data(name + "/qm-ni", 24), data(name + "/qm-nr", 16)
        h1 = prf(h, a, mid, rest1)
        h2 = prf(h, a, mid, qni, rest2)
        h3 = prf(h, a, b"\x00", mid, qni, qnr)
        info = data(name + "/info", 28)
        ih = prf(h, a, mid, info)
        spi = data(name + "/spi", 4)
        gqm = pow(pow(2, xi + 7, p), xr + 11, p).to_bytes(128, "big")
        km = keymat(h, d, b"", 3, spi, qni, qnr, 100)
        kmp = keymat(h, d, gqm, 3, spi, qni, qnr, 100)
        if name in ("md5-3des", "sha1-aes256"):
            assert len(key) > len(ee)  # exercises Appendix B
        emit_struct([
            ("name", name), ("hash", h), ("encr", e), ("key_length", kl),
            ("psk", psk), ("ni", ni), ("nr", nr), ("gxi", gxi), ("gxr", gxr),
            ("gxy", gxy), ("cky_i", cki), ("cky_r", ckr), ("sai_b", sai),
            ("idii_b", idii), ("idir_b", idir),
            ("skeyid", skeyid), ("skeyid_d", d), ("skeyid_a", a), ("skeyid_e", ee),
            ("enc_key", key), ("iv", iv), ("hash_i", hash_i), ("hash_r", hash_r),
            ("msgid", Raw("0x%08xu" % msgid)), ("last_block", last), ("p2_iv", p2iv),
            ("qm_rest1", rest1), ("qm_rest2", rest2), ("qm_ni", qni), ("qm_nr", qnr),
            ("qm_hash1", h1), ("qm_hash2", h2), ("qm_hash3", h3),
            ("info", info), ("info_hash", ih),
            ("spi", spi), ("gxy_qm", gqm), ("keymat", km), ("keymat_pfs", kmp)])
    print("};")


def main():
    print("/* Generated by gen_ike_vectors.py (Python stdlib: hashlib, hmac, pow)."
          " Do not edit. */")
    hash_vectors()
    primes = dh_vectors()
    phase1_vectors(primes)


if __name__ == "__main__":
    main()
