#!/usr/bin/env python3
"""Regenerates the test fixtures in this folder, independently of the Java code under test.

cosign.key follows cosign's format (pkg/cosign/keys.go, go-securesystemslib encrypted): PEM
'ENCRYPTED SIGSTORE PRIVATE KEY' around JSON {kdf:{name:scrypt,params:{N,r,p},salt},
cipher:{name:nacl/secretbox,nonce},ciphertext}, key = scrypt(password, salt, N, r, p, 32),
ciphertext = NaCl secretbox (XSalsa20-Poly1305, tag first) of the PKCS#8 DER private key.
XSalsa20 and Poly1305 are written out here from the specs so that the fixture does not come
from BouncyCastle. Password: 'correct horse'.

Run: python3 make-cosign-key.py  (needs openssl on PATH)
"""
import base64, hashlib, json, os, subprocess, struct

M = 0xffffffff
def rotl(v, c): return ((v << c) & M) | (v >> (32 - c))
def qr(y, a, b, c, d):
    y[b] ^= rotl((y[a] + y[d]) & M, 7)
    y[c] ^= rotl((y[b] + y[a]) & M, 9)
    y[d] ^= rotl((y[c] + y[b]) & M, 13)
    y[a] ^= rotl((y[d] + y[c]) & M, 18)
def rounds(x):
    y = list(x)
    for _ in range(10):
        qr(y, 0, 4, 8, 12); qr(y, 5, 9, 13, 1); qr(y, 10, 14, 2, 6); qr(y, 15, 3, 7, 11)
        qr(y, 0, 1, 2, 3); qr(y, 5, 6, 7, 4); qr(y, 10, 11, 8, 9); qr(y, 15, 12, 13, 14)
    return y
C = struct.unpack('<4I', b'expand 32-byte k')
def state(key, sixteen):
    k = struct.unpack('<8I', key); n = struct.unpack('<4I', sixteen)
    return [C[0], *k[:4], C[1], *n, C[2], *k[4:], C[3]]
def hsalsa20(key, n16):
    z = rounds(state(key, n16))
    return struct.pack('<8I', z[0], z[5], z[10], z[15], z[6], z[7], z[8], z[9])
def xsalsa20_stream(key, nonce, length):
    sub = hsalsa20(key, nonce[:16]); out = b''; ctr = 0
    while len(out) < length:
        x = state(sub, nonce[16:24] + struct.pack('<Q', ctr))
        out += struct.pack('<16I', *[(a + b) & M for a, b in zip(x, rounds(x))]); ctr += 1
    return out[:length]
def poly1305(key, msg):
    r = int.from_bytes(key[:16], 'little') & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s = int.from_bytes(key[16:], 'little'); p = (1 << 130) - 5; acc = 0
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b'\x01', 'little')) * r % p
    return ((acc + s) % (1 << 128)).to_bytes(16, 'little')
def secretbox(key, nonce, m):
    st = xsalsa20_stream(key, nonce, 32 + len(m))
    c = bytes(a ^ b for a, b in zip(m, st[32:]))
    return poly1305(st[:32], c) + c

def pem(label, der):
    b = base64.b64encode(der).decode()
    return '-----BEGIN %s-----\n%s\n-----END %s-----\n' % (label, '\n'.join(b[i:i + 64] for i in range(0, len(b), 64)), label)

sec1 = subprocess.run(['openssl', 'ecparam', '-name', 'prime256v1', '-genkey', '-noout'], check=True, capture_output=True).stdout
open('ec-sec1.pem', 'wb').write(sec1)
pkcs8 = subprocess.run(['openssl', 'pkcs8', '-topk8', '-nocrypt', '-in', 'ec-sec1.pem'], check=True, capture_output=True).stdout
open('ec-pkcs8.pem', 'wb').write(pkcs8)
pub = subprocess.run(['openssl', 'ec', '-in', 'ec-sec1.pem', '-pubout'], check=True, capture_output=True).stdout
open('cosign.pub', 'wb').write(pub)
der = subprocess.run(['openssl', 'pkcs8', '-topk8', '-nocrypt', '-in', 'ec-sec1.pem', '-outform', 'DER'], check=True, capture_output=True).stdout
password = b'correct horse'
salt, nonce = os.urandom(32), os.urandom(24)
N, r, p = 32768, 8, 1
key = hashlib.scrypt(password, salt=salt, n=N, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)
doc = {'kdf': {'name': 'scrypt', 'params': {'N': N, 'r': r, 'p': p}, 'salt': base64.b64encode(salt).decode()},
       'cipher': {'name': 'nacl/secretbox', 'nonce': base64.b64encode(nonce).decode()},
       'ciphertext': base64.b64encode(secretbox(key, nonce, der)).decode()}
open('cosign.key', 'w').write(pem('ENCRYPTED SIGSTORE PRIVATE KEY', json.dumps(doc, separators=(',', ':')).encode()))
spki = subprocess.run(['openssl', 'ec', '-in', 'ec-sec1.pem', '-pubout', '-outform', 'DER'], check=True, capture_output=True).stdout
open('cosign.pub.hint', 'w').write(base64.b64encode(hashlib.sha256(spki).digest()).decode())
# An ECDSA P-256 SHA-256 DER signature made by openssl, for verifier interop.
open('message.txt', 'wb').write('héllo wörld ✓\n'.encode())
subprocess.run(['openssl', 'dgst', '-sha256', '-sign', 'ec-sec1.pem', '-out', 'message.sig', 'message.txt'], check=True)
