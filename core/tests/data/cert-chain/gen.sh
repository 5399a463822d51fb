#!/bin/sh
# Regenerates the test certificate chain used by core/tests/cert_chain.rs.
# Test-only keys and certificates; never use them for anything real.
set -eu
cd "$(dirname "$0")"
D=36500
ext_ca="basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign"
printf '%s\n' "$ext_ca" > ca.ext
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > leaf.ext

openssl req -x509 -newkey rsa:2048 -nodes -keyout root-a.key -sha256 -days $D \
  -subj "/C=CN/O=Test CA/OU=Certification Authority/CN=Test Root A" -out root-a.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -x509 -newkey rsa:2048 -nodes -keyout root-b.key -sha256 -days $D \
  -subj "/C=CN/O=Test CA/OU=Certification Authority/CN=Test Root B" -out root-b.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"

openssl req -newkey rsa:2048 -nodes -keyout inter.key \
  -subj "/C=CN/O=Test CA/OU=Certification Authority/CN=Test Class 2 R1" -out inter.csr
openssl x509 -req -in inter.csr -CA root-a.pem -CAkey root-a.key -set_serial 0x00a1b2c3d4e5f60718293a4b5c6d7e8f90 \
  -sha256 -days $D -extfile ca.ext -out inter.pem

openssl req -newkey rsa:2048 -nodes -keyout leaf.key -utf8 \
  -subj "/C=CN/O=测试网络技术有限公司/OU=Alipay/CN=测试(中国)网络技术有限公司-2088000000000000" -out leaf.csr
openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -set_serial 4242424242424242424242 \
  -sha256 -days $D -extfile leaf.ext -out leaf.pem
openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -set_serial 77 \
  -sha1 -days $D -extfile leaf.ext -out leaf-sha1.pem
openssl x509 -req -in leaf.csr -CA root-a.pem -CAkey root-a.key -set_serial 78 \
  -sha256 -days $D -extfile leaf.ext -out leaf-direct.pem

# keep only what the tests use: certificates and the leaf key (PKCS#8)
openssl pkcs8 -topk8 -nocrypt -in leaf.key -out leaf-key.pem
rm -f root-a.key root-b.key inter.key leaf.key inter.csr leaf.csr ca.ext leaf.ext
