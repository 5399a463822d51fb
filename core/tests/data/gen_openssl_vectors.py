#!/usr/bin/env python3
"""Regenerates openssl_sign_vectors.json: request sign vectors signed by the
openssl CLI (an implementation independent of this crate). Run from this
directory: python3 gen_openssl_vectors.py > openssl_sign_vectors.json"""
import base64, json, subprocess, tempfile

FIX = "../../../../shared/fixtures/keys/"
CASES = [
    # (private key file, sign_type, charset, params)
    (FIX + "app-private-key.pem", "RSA2", "gbk", {
        "app_id": "2021000122671080", "method": "alipay.trade.pay", "format": "json",
        "charset": "gbk", "sign_type": "RSA2", "timestamp": "2024-01-02 15:04:05",
        "version": "1.0",
        "biz_content": '{"out_trade_no":"G20240102001","scene":"bar_code","auth_code":"28763443825664394",'
                       '"subject":"中文商品 GBK测试 A&B=1","total_amount":"0.01"}'}),
    (FIX + "app-private-key.pem", "RSA", "gbk", {
        "app_id": "2021000122671080", "method": "alipay.trade.query", "charset": "gbk",
        "sign_type": "RSA", "timestamp": "2024-02-29 23:59:59", "version": "1.0",
        "biz_content": '{"out_trade_no":"订单-1"}'}),
    (FIX + "privateKey_ProdCert_pkcs8.pem", "RSA2", "utf-8", {
        "app_id": "2021003126695331", "method": "alipay.trade.pay", "format": "json",
        "charset": "utf-8", "sign_type": "RSA2", "timestamp": "2024-01-02 15:04:05",
        "version": "1.0", "app_cert_sn": "c5f1c14ddd03800943ddf3f452aaf3d9",
        "alipay_root_cert_sn": "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6",
        "biz_content": '{"out_trade_no":"C1","scene":"bar_code","auth_code":"28763443825664394","subject":"cert mode","total_amount":"1.00"}'}),
    (FIX + "app-private-key.pem", "RSA2", "utf-8", {
        "app_id": "2021000122671080", "method": "alipay.trade.cancel", "charset": "utf-8",
        "sign_type": "RSA2", "timestamp": "2024-01-02 15:04:05", "version": "1.0",
        "notify_url": "", "app_auth_token": "", "": "dropped", "sign": "must-be-ignored",
        "biz_content": '{"out_trade_no":"E1"}'}),
    ("rsa1024-private-pkcs1.pem", "RSA", "utf-8", {
        "app_id": "1", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA",
        "biz_content": '{"out_trade_no":"small key, legacy RSA"}'}),
    ("rsa3072-private-pkcs1.pem", "RSA2", "utf-8", {
        "app_id": "3", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
        "biz_content": '{"out_trade_no":"3072"}'}),
    ("rsa4096-private-pkcs1.pem", "RSA2", "utf-8", {
        "app_id": "4", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA2",
        "biz_content": '{"out_trade_no":"4096"}'}),
    ("rsa4096-private-pkcs1.pem", "RSA", "utf-8", {
        "app_id": "4", "method": "alipay.trade.query", "charset": "utf-8", "sign_type": "RSA",
        "biz_content": '{"out_trade_no":"4096 sha1"}'}),
]

out = []
for key, st, cs, params in CASES:
    items = sorted((k, v) for k, v in params.items() if k != "sign" and k and v)
    content = "&".join(f"{k}={v}" for k, v in items)
    data = content.encode("gbk" if cs == "gbk" else "utf-8")
    with tempfile.NamedTemporaryFile() as f:
        f.write(data); f.flush()
        sig = subprocess.run(["openssl", "dgst", "-sha256" if st == "RSA2" else "-sha1",
                              "-sign", key, f.name], check=True, capture_output=True).stdout
    out.append({"source": "openssl dgst -sign (gen_openssl_vectors.py)",
                "private_key_file": key.replace(FIX, "shared:keys/"), "sign_type": st, "charset": cs,
                "params": params, "expected_sign_content": content,
                "expected_sign": base64.b64encode(sig).decode()})
print(json.dumps(out, ensure_ascii=False, indent=1))
